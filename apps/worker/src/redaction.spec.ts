import type { Json } from '@yieldflow/runtime';
import { JqEvaluator } from '@yieldflow/dsl';
import { encodedForms, REDACTED, Redactor } from './redaction';

const secret = 'sk-Live/7F3a+9c1E5b"<x>&\'';
const r = new Redactor({ acme: { apiKey: secret }, other: { pin: 'abcd1234' } });

describe('Redactor: what one jq step makes of a secret is redacted', () => {
  const ev = new JqEvaluator({ inlinePaths: false });
  afterAll(() => ev.close());
  const run = (expr: string): Json => ev.evaluate(expr, null, { s: secret });

  it.each([
    '$s',
    '$s | @base64',
    '$s | @base64 | @base64d',
    '$s | @base64 | rtrimstr("=")',
    '$s | @base64 | gsub("\\\\+"; "-") | gsub("/"; "_")',
    '$s | @base64 | gsub("\\\\+"; "-") | gsub("/"; "_") | rtrimstr("=")',
    '$s | @uri',
    '$s | @html',
    '$s | @sh',
    '$s | @csv "\\([.])"',
    '$s | @tsv "\\([.])"',
    '$s | @json',
    '$s | tojson | tojson',
    '$s | ascii_downcase',
    '$s | ascii_upcase',
    '$s | explode',
    '$s | explode | implode',
    '[$s | explode[] | . as $c | [$c] | implode | @text] | add',
    '$s | [explode[] | if . < 16 then "0" else "" end + ([.] | implode)] | add',
  ])('%s', (expr) => {
    const out = run(expr);
    const stored = JSON.stringify(r.value(out));
    expect(stored).toContain(REDACTED);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it('hex, either case', () => {
    const hex = Buffer.from(secret).toString('hex');
    expect(r.value({ a: `0x${hex}`, b: hex.toUpperCase() })).toEqual({ a: `0x${REDACTED}`, b: REDACTED });
  });

  it.each(['Bearer ', 'a', 'ab', 'abc', 'key='])(
    'base64 of the secret after %j: only edge characters remain',
    (prefix) => {
      for (const expr of [`("${prefix}" + $s + "!") | @base64`]) {
        const stored = r.value(run(expr)) as string;
        expect(stored).toContain(REDACTED);
        const [before, after] = stored.split(REDACTED);
        // what remains is the prefix's encoding plus at most one character holding secret bits on each side
        expect(before.length).toBeLessThanOrEqual(Math.ceil(((prefix.length + 1) * 8) / 5));
        expect(after.length).toBeLessThanOrEqual(8);
      }
    },
  );

  it('a text with nothing secret is returned as is, and a __proto__ key stays a key', () => {
    const text = '{"a":[1,2,3,4],"b":"sk-other","__proto__":{"x":1}}';
    expect(r.text(text)).toBe(text);
    expect(Object.keys(r.value(JSON.parse(text) as Record<string, Json>))).toEqual(['a', 'b', '__proto__']);
    expect(r.text(`{"__proto__":{"x":"${secret.slice(0, 10)}"},"k":"abcd1234"}`)).toBe(
      `{"__proto__":{"x":"${secret.slice(0, 10)}"},"k":"${REDACTED}"}`,
    );
  });

  it('seal marks each form with its name, and unseal gives back the exact text', () => {
    const b64 = Buffer.from(secret).toString('base64');
    const basic = Buffer.from(`user:${secret}`).toString('base64');
    const effect = {
      headers: {
        a: `Bearer ${secret}`,
        b: b64,
        c: `Basic ${basic}`,
        d: secret.toLowerCase(),
        e: 'x[redacted:acme.apiKey]',
      },
    };
    const sealed = r.seal(effect);
    expect(sealed).toContain('[redacted:acme.apiKey]');
    expect(sealed).toContain('[redacted:acme.apiKey:base64]');
    expect(sealed).not.toContain(b64);
    expect(sealed).not.toContain(secret);
    expect(r.unseal(sealed)).toEqual({ headers: { ...effect.headers, e: `x${REDACTED}` } });
  });

  it.each([
    'ONSWG4TFOQQXQ6LZ',
    'PBZWKY3SMV2CC6DZPE======',
    'PB4HGZLDOJSXIILYPF4Q====',
    'PB4HQ43FMNZGK5BBPB4XS===',
    'PB4HQ6DTMVRXEZLUEF4HS6I=',
  ])('base32 of "secret!x" inside a longer text, at each offset: %s', (encoded) => {
    const stored = new Redactor({ ns: { k: 'secret!x' } }).value(encoded);
    expect(stored).toContain(REDACTED);
    expect(stored.replace(REDACTED, '').replace(/=+$/, '').length).toBeLessThanOrEqual(12); // 'xxxx' and 'yy', and an edge character each side
  });

  it('lists forms for a value', () => {
    const forms = new Map(encodedForms('ab/+'));
    expect(forms.get('base64')).toBe('YWIvKw==');
    expect(forms.get('base64urlnp')).toBe('YWIvKw');
    expect(forms.get('base32')).toBe('MFRC6KY=');
    expect(forms.get('hex')).toBe('61622f2b');
    expect(forms.get('uri')).toBe('ab%2F%2B');
  });
});
