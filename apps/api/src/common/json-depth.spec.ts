import { nestedDeeperThan } from './json-depth';

const deeper = (text: string, max: number) => nestedDeeperThan(Buffer.from(text), max);

describe('nestedDeeperThan', () => {
  it('counts objects and arrays', () => {
    expect(deeper('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(deeper('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(deeper('[]'.repeat(1000), 1)).toBe(false);
  });

  it('ignores brackets in strings, escaped quotes included', () => {
    expect(deeper('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(deeper('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(deeper('{"a":"\\\\","b":[[]]}', 2)).toBe(true);
    expect(deeper('["é[[[", "日本[["]', 1)).toBe(false);
  });
});
