import { checkSpec, nextFire, nextFires, parseDuration, ScheduleSpecError } from './schedule-spec';

const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());
const fires = (cron: string, timezone: string, now: string, n = 3) =>
  iso(nextFires({ cron, timezone }, Date.parse(now), n));

describe('fire times, with a given now', () => {
  it('Europe/Berlin, spring forward: 02:30 does not exist and runs once, at 03:00 CEST', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2025-03-29T12:00:00Z')).toEqual([
      '2025-03-30T01:00:00.000Z',
      '2025-03-31T00:30:00.000Z',
      '2025-04-01T00:30:00.000Z',
    ]);
  });

  it('Europe/Berlin, fall back: 02:30 occurs twice and runs once, at the first', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2025-10-25T12:00:00Z')).toEqual([
      '2025-10-26T00:30:00.000Z',
      '2025-10-27T01:30:00.000Z',
      '2025-10-28T01:30:00.000Z',
    ]);
    // every half hour: the repeated 02:00 and 02:30 (CET) are not run again
    expect(fires('*/30 * * * *', 'Europe/Berlin', '2025-10-25T23:50:00Z', 5)).toEqual([
      '2025-10-26T00:00:00.000Z', // 02:00 CEST
      '2025-10-26T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T02:00:00.000Z', // 03:00 CET
      '2025-10-26T02:30:00.000Z',
      '2025-10-26T03:00:00.000Z',
    ]);
  });

  it('America/New_York, spring forward: 02:30 runs once, at 03:00 EDT', () => {
    expect(fires('30 2 * * *', 'America/New_York', '2025-03-08T12:00:00Z')).toEqual([
      '2025-03-09T07:00:00.000Z',
      '2025-03-10T06:30:00.000Z',
      '2025-03-11T06:30:00.000Z',
    ]);
  });

  it('America/New_York, fall back: 01:30 runs once, in EDT', () => {
    expect(fires('30 1 * * *', 'America/New_York', '2025-11-01T12:00:00Z')).toEqual([
      '2025-11-02T05:30:00.000Z',
      '2025-11-03T06:30:00.000Z',
      '2025-11-04T06:30:00.000Z',
    ]);
    expect(fires('0 * * * *', 'America/New_York', '2025-11-02T04:30:00Z', 3)).toEqual([
      '2025-11-02T05:00:00.000Z', // 01:00 EDT
      '2025-11-02T07:00:00.000Z', // 02:00 EST: 01:00 EST is not run again
      '2025-11-02T08:00:00.000Z',
    ]);
  });

  it('every is immune to daylight saving, and keeps its offset', () => {
    const from = Date.parse('2025-03-30T00:59:00Z');
    expect(iso(nextFires({ everyMs: 3_600_000, offsetMs: 60_000 }, from, 3))).toEqual([
      '2025-03-30T01:01:00.000Z',
      '2025-03-30T02:01:00.000Z',
      '2025-03-30T03:01:00.000Z',
    ]);
    expect(nextFire({ everyMs: 1000 }, 1500)).toBe(2000);
    expect(nextFire({ everyMs: 1000 }, 2000)).toBe(3000);
  });

  it('a 6-field cron has seconds; startAt and endAt bound the fires', () => {
    expect(fires('*/20 * * * * *', 'UTC', '2025-01-01T00:00:00Z')).toEqual([
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:40.000Z',
      '2025-01-01T00:01:00.000Z',
    ]);
    const spec = { everyMs: 1000, startAt: 10_000, endAt: 12_000 };
    expect(nextFires(spec, 0, 10)).toEqual([10_000, 11_000, 12_000]);
  });

  it('bad specs name their field', () => {
    const field = (s: object) => {
      try {
        checkSpec(s);
      } catch (err) {
        return (err as ScheduleSpecError).field;
      }
      return null;
    };
    expect(field({ cron: 'not a cron' })).toBe('cron');
    expect(field({ cron: '* * *' })).toBe('cron');
    expect(field({ cron: '61 * * * *' })).toBe('cron');
    expect(field({ cron: '* * * * *', timezone: 'Mars/Olympus' })).toBe('timezone');
    expect(field({})).toBe('spec');
    expect(field({ everyMs: 1000, startAt: 5, endAt: 5 })).toBe('endAt');
    expect(field({ cron: '* * * * *', timezone: 'Europe/Berlin' })).toBeNull();
    expect(() => parseDuration('every', 'soon')).toThrow(/every/);
    expect(parseDuration('every', '1m30s')).toBe(90_000);
    expect(parseDuration('every', 'PT1S')).toBe(1000);
    expect(parseDuration('every', '500ms')).toBe(500);
  });
});
