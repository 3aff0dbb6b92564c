import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { DefinitionError, UnsupportedFeatureError } from './errors';
import { parseWorkflow } from './parse';
import { describeSupport } from './support';
import { validateWorkflow } from './validate';

import { hasSpecKit, SPEC_DIR as SPEC } from './spec-kit';

// without the spec kit (SW_SPEC_DIR) these suites are reported as not run (skipped), never as passed
const files = (dir: string) =>
  hasSpecKit ? readdirSync(join(SPEC, dir)).filter((f) => f.endsWith('.yaml')) : ['(the spec kit is absent)'];
const withKit = hasSpecKit ? describe : describe.skip;

withKit('the spec examples', () => {
  it.each(files('examples'))('%s is accepted, or rejected naming an unsupported feature', (file) => {
    const doc = parseWorkflow(readFileSync(join(SPEC, 'examples', file), 'utf8'));
    try {
      validateWorkflow(doc);
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      expect((err as UnsupportedFeatureError).features.length).toBeGreaterThan(0);
      expect((err as Error).message).toMatch(/ at \//);
    }
  });

  it('accepts the ones this runtime runs and names what it does not', () => {
    const verdict = (file: string) => {
      try {
        validateWorkflow(parseWorkflow(readFileSync(join(SPEC, 'examples', file), 'utf8')));
        return 'ok';
      } catch (err) {
        return (err as UnsupportedFeatureError).features.join(', ');
      }
    };
    expect(verdict('fork.yaml')).toBe('ok');
    expect(verdict('listen-to-all.yaml')).toBe('ok');
    expect(verdict('try-catch-retry-reusable.yaml')).toBe('ok');
    expect(verdict('run-subflow.yaml')).toBe('ok');
    expect(verdict('authentication-reusable.yaml')).toBe('ok');
    expect(verdict('call-grpc.yaml')).toBe('call grpc');
    expect(verdict('call-openapi.yaml')).toBe('ok');
    expect(verdict('call-openapi-redirect.yaml')).toBe('ok');
    expect(verdict('call-asyncapi-publish.yaml')).toBe('call asyncapi');
    expect(verdict('call-mcp.yaml')).toBe('call mcp');
    expect(verdict('run-container.yaml')).toBe('run container');
    expect(verdict('run-shell-stdin-and-arguments.yaml')).toBe('run shell');
    expect(verdict('run-script-with-stdin-and-arguments.yaml')).toBe('run script');
    expect(verdict('authentication-oauth2.yaml')).toBe('OAuth2 authentication');
    expect(verdict('authentication-oidc.yaml')).toBe('OIDC authentication');
    expect(verdict('call-custom-function-cataloged.yaml')).toBe('custom function call');
    expect(verdict('call-custom-function-inline.yaml')).toBe('ok');
  });

  it('the extension-less examples/listen-to-all is an empty file: a DefinitionError', () => {
    expect(() => parseWorkflow(readFileSync(join(SPEC, 'examples', 'listen-to-all'), 'utf8'))).toThrow(DefinitionError);
  });

  it('schedule is accepted with a note that it is not acted on', () => {
    const doc = validateWorkflow(parseWorkflow(readFileSync(join(SPEC, 'examples', 'schedule-cron.yaml'), 'utf8')));
    expect(describeSupport(doc).notes).toEqual([
      expect.objectContaining({ feature: 'schedule', pointer: '/schedule' }),
    ]);
  });
});

withKit('the invalid examples', () => {
  it.each(files('invalid-examples'))('%s is rejected with a DefinitionError', (file) => {
    expect(() => validateWorkflow(parseWorkflow(readFileSync(join(SPEC, 'invalid-examples', file), 'utf8')))).toThrow(
      DefinitionError,
    );
  });

  it('explains an extra property of an http call in one line, not every oneOf branch', () => {
    try {
      validateWorkflow(
        parseWorkflow(readFileSync(join(SPEC, 'invalid-examples', 'extra-property-in-call.yaml'), 'utf8')),
      );
      throw new Error('accepted');
    } catch (err) {
      expect((err as DefinitionError).violations).toEqual([
        { pointer: '/do/0/getPet', message: "must NOT have the property 'foo'" },
      ]);
    }
  });

  it('explains two tasks in one list item', () => {
    try {
      validateWorkflow(
        parseWorkflow(readFileSync(join(SPEC, 'invalid-examples', 'two-tasks-in-one-item.yaml'), 'utf8')),
      );
      throw new Error('accepted');
    } catch (err) {
      expect((err as DefinitionError).violations).toEqual([
        { pointer: '/do/0', message: 'must NOT have more than 1 properties' },
      ]);
    }
  });

  it('explains a bad nested task at its own pointer', () => {
    const doc = {
      document: { dsl: '1.0.3', namespace: 'x', name: 'y', version: '1.0.0' },
      do: [{ outer: { do: [{ inner: { wait: 'soon' } }] } }, { other: { set: { a: 1 } } }],
    };
    try {
      validateWorkflow(doc);
      throw new Error('accepted');
    } catch (err) {
      const v = (err as DefinitionError).violations;
      expect(v.length).toBeGreaterThan(0);
      expect(v.every((x) => x.pointer.startsWith('/do/0/outer/do/0/inner/wait'))).toBe(true);
    }
  });

  it('names a missing document field', () => {
    try {
      validateWorkflow({ document: { dsl: '1.0.3', namespace: 'x', version: '1.0.0' }, do: [] });
      throw new Error('accepted');
    } catch (err) {
      expect((err as DefinitionError).violations).toContainEqual({
        pointer: '/document',
        message: "must have required property 'name'",
      });
    }
  });
});

describe('parseWorkflow', () => {
  it('reads YAML, JSON and objects', () => {
    expect(parseWorkflow('a: 1')).toEqual({ a: 1 });
    expect(parseWorkflow('{"a": [1]}')).toEqual({ a: [1] });
    expect(parseWorkflow({ a: 2 })).toEqual({ a: 2 });
  });
  it('rejects text over the size limit, naming it', () => {
    expect(() => parseWorkflow(`a: "${'x'.repeat(300 * 1024)}"`)).toThrow(/maxBytes/);
    expect(() => parseWorkflow('a: 1234567', { maxBytes: 4 })).toThrow(DefinitionError);
  });
  it('rejects nesting over the depth limit, naming it', () => {
    const deep = '['.repeat(100) + ']'.repeat(100);
    expect(() => parseWorkflow(deep)).toThrow(/maxDepth/);
    let o: object = {};
    for (let i = 0; i < 10; i++) o = { o };
    expect(() => parseWorkflow(o, { maxDepth: 5 })).toThrow(/maxDepth/);
  });
  it('rejects text that is not YAML, and a document that is not an object', () => {
    expect(() => parseWorkflow('a: [1')).toThrow(DefinitionError);
    expect(() => parseWorkflow('- 1')).toThrow(/must be an object/);
    expect(() => parseWorkflow('')).toThrow(DefinitionError);
  });
  it('bounds YAML alias expansion', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 12 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(() => parseWorkflow(bomb)).toThrow(DefinitionError);
  });
});
