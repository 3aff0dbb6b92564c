import { yamlFlowDeeperThan } from './yaml-depth';

describe('yamlFlowDeeperThan', () => {
  it('counts flow collections, not brackets in quotes, comments or block scalars', () => {
    expect(yamlFlowDeeperThan('a: {b: [1, [2]]}', 3)).toBe(false);
    expect(yamlFlowDeeperThan('a: {b: [1, [2]]}', 2)).toBe(true);
    expect(yamlFlowDeeperThan(`a: 'it''s [[[['\nb: "\\"{{{{"\n# [[[[ it's\nc: [1]`, 1)).toBe(false);
    expect(yamlFlowDeeperThan("[a'b, [[c]]]", 2)).toBe(true);
    expect(yamlFlowDeeperThan('['.repeat(5000) + ']'.repeat(5000), 64)).toBe(true);
  });
});
