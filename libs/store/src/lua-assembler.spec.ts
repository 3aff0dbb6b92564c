import { assemble } from './lua-assembler';
import { scriptSources } from './scripts';
import { F, READS, RECORDS } from './wire';

const parts: Record<string, string> = {
  a: 'local A = 1\n--- @include "b"\n',
  b: 'local B = F.status\n',
  loop: '--- @include "loop"\n',
};
const part = (name: string) => parts[name];

describe('the Lua assembler', () => {
  it('includes each part once, parts of parts too, where its directive stands', () => {
    const lua = assemble('t', 'x()\n--- @include "a"\n--- @include "b"\ny()', part);
    expect(lua).toBe("x()\nlocal A = 1\nlocal B = 'st'\n-- (b: included above)\ny()");
  });

  it('refuses a part that does not exist, naming the script and the include path', () => {
    expect(() => assemble('claim-1', '--- @include "a"\n--- @include "nope"', part)).toThrow(
      "claim-1: no Lua part named 'nope'",
    );
    expect(() => assemble('s', '--- @include "loop"', part)).not.toThrow();
  });

  it('replaces the wire names by their literals', () => {
    expect(assemble('t', 'HSET(F.status, OP.kind, OK.suspend, J.result, F.eventCursor)', part)).toBe(
      "HSET('st', 'o', 's', 'r', 'ec')",
    );
    expect(assemble('t', 'local t = K.timeoutType', part)).toMatch(/^local t = 'https:\/\/.*\/errors\/timeout'$/);
  });

  it('lays out reads and records by name', () => {
    const fields = READS.claim.map((n) => `'${F[n]}'`).join(', ');
    expect(assemble('t', 'HMGET(tk, H.claim)', part)).toBe(`HMGET(tk, ${fields})`);
    expect(assemble('t', 'f[H.claim.status], f[H.claim.patches]', part)).toBe(`f[1], f[${READS.claim.length}]`);
    expect(assemble('t', 'out[n + R.claim.id], R.claim.size', part)).toBe(`out[n + 1], ${RECORDS.claim.length}`);
  });

  it('refuses a name that is not in the wire format', () => {
    expect(() => assemble('writeback-1', 'x = F.stauts', part)).toThrow(
      "writeback-1: 'F.stauts' is not in the wire format",
    );
    expect(() => assemble('t', 'x = H.claim.nope', part)).toThrow("'H.claim.nope'");
    expect(() => assemble('t', 'x = R.claim', part)).toThrow("'R.claim'");
    expect(() => assemble('t', 'x = F.toString', part)).toThrow("'F.toString'");
    expect(() => assemble('t', 'x = H.nope', part)).toThrow("'H.nope'");
  });

  it('assembles every script of lua/ with no directive or wire name left', () => {
    const all = scriptSources();
    expect(all.size).toBeGreaterThanOrEqual(20);
    for (const [file, lua] of all) {
      expect({ file, include: /^--- @include/m.test(lua) }).toEqual({ file, include: false });
      expect({ file, name: /\b(F|OP|OK|J|H|R)\.[A-Za-z_]/.test(lua) }).toEqual({ file, name: false });
    }
  });
});
