import type { Duration } from './types';

const ISO =
  /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A DSL duration in ms: ISO 8601 (`PT1S`, `P1DT2H`; a year counts 365 days, a month 30) or
 * `{ days, hours, minutes, seconds, milliseconds }`.
 */
export function durationMs(d: Duration): number {
  if (typeof d === 'string') {
    const m = ISO.exec(d.trim());
    if (!m) throw new Error(`'${d}' is not an ISO 8601 duration`);
    const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
    return Math.round(
      n(1) * 365 * DAY + n(2) * 30 * DAY + n(3) * 7 * DAY + n(4) * DAY + n(5) * HOUR + n(6) * MINUTE + n(7) * SECOND,
    );
  }
  return (
    (d.days ?? 0) * DAY +
    (d.hours ?? 0) * HOUR +
    (d.minutes ?? 0) * MINUTE +
    (d.seconds ?? 0) * SECOND +
    (d.milliseconds ?? 0)
  );
}
