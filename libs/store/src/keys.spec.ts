import { Keys, slotOf } from './keys';

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
