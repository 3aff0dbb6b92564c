import { isTaskId, Keys, newId, slotOf } from './keys';

describe('slots and partition tags', () => {
  it("slotOf is Redis Cluster's HASH_SLOT: CRC16 of the hash tag mod 16384", () => {
    expect(slotOf('123456789')).toBe(12739);
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('yf:{p0}:due')).toBe(slotOf('p0'));
    expect(slotOf('a{}b')).toBe(slotOf('a{}b')); // an empty tag: the whole key
    expect(slotOf('{x}{y}')).toBe(slotOf('x'));
  });

  it("plain tags are the partition's number, as they always were", () => {
    expect(new Keys('yf', 16).partition(3)).toBe('yf:{p3}:');
  });

  // masters holding equal contiguous ranges, as redis-cli --cluster create assigns them
  const perMaster = (keys: Keys, masters: number) => {
    const c = new Array<number>(masters).fill(0);
    for (let p = 0; p < keys.partitions; p++)
      c[Math.min(masters - 1, Math.floor(slotOf(keys.partition(p)) / (16384 / masters)))]++;
    return c;
  };

  it('spread tags put partitions on M masters within one of each other (plain ones do not)', () => {
    expect(perMaster(new Keys('yf', 16), 3)).toEqual([4, 5, 7]);
    expect(perMaster(new Keys('yf', 16), 8)).toEqual([0, 4, 0, 4, 0, 4, 0, 4]);
    for (const partitions of [16, 32, 64, 100, 256]) {
      for (const masters of [2, 3, 4, 5, 6, 8]) {
        const c = perMaster(new Keys('yf', partitions, 'spread'), masters);
        expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('spread tags are fixed (stored keys are named by them): these must never change', () => {
    const keys = new Keys('yf', 16, 'spread');
    expect([0, 1, 2, 15].map((p) => keys.partition(p))).toEqual([
      'yf:{p0.141}:',
      'yf:{p1.46}:',
      'yf:{p2.3}:',
      'yf:{p15.15}:',
    ]);
  });
});

describe('newId', () => {
  it('gives 16 url-safe characters, never the same twice across many refills of its pool', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isTaskId)).toBe(true);
  });

  it('uses every bit: each of the 64 characters turns up at every position', () => {
    const seen = Array.from({ length: 16 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) [...newId()].forEach((c, j) => seen[j].add(c));
    // the last character of 12 bytes in base64url carries 6 whole bits, like the others
    expect(seen.map((s) => s.size)).toEqual(new Array(16).fill(64));
  });
});
