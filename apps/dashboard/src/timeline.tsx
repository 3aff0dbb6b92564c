import { ms, type Suspension, type Task } from './api';

export type SegmentKind = 'queued' | 'running' | 'suspended' | 'paused' | 'late';
export interface Segment {
  kind: SegmentKind;
  from: number;
  to: number;
  label?: string;
}
export interface Mark {
  step: number;
  kind: string;
  label?: string;
  suspendedAt: number;
  dueAt?: number;
  resumedAt?: number;
  lateMs?: number;
}

const t = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

/**
 * A task's life as segments: queued (created → started), running between suspensions, suspended (until
 * due), late (due → actually resumed), paused (the pause now in force), from its view's timestamps and
 * suspensions. A suspension still open (the task waits now) runs to `now`.
 */
export function segments(task: Task, now = Date.now()): { segs: Segment[]; marks: Mark[]; start: number; end: number } {
  const created = t(task.createdAt)!;
  const end = t(task.finishedAt) ?? now;
  const started = t(task.startedAt);
  const segs: Segment[] = [];
  const marks: Mark[] = [];
  if (started === undefined) {
    segs.push({ kind: task.status === 'paused' ? 'paused' : 'queued', from: created, to: end });
    return { segs, marks, start: created, end };
  }
  segs.push({ kind: 'queued', from: created, to: started });
  let cursor = started;
  const list: Suspension[] = [...(task.suspensions ?? [])].filter((s) => !s.truncated).sort((a, b) => a.step - b.step);
  for (const s of list) {
    const sus = t(s.suspendedAt)!;
    const res = t(s.resumedAt)!;
    const due = t(s.dueAt);
    if (sus > cursor) segs.push({ kind: 'running', from: cursor, to: sus });
    const lateFrom = due !== undefined && due < res && due > sus ? due : res;
    segs.push({ kind: 'suspended', from: sus, to: lateFrom, label: s.label ?? s.kind });
    if (lateFrom < res) segs.push({ kind: 'late', from: lateFrom, to: res });
    marks.push({
      step: s.step,
      kind: s.kind,
      label: s.label,
      suspendedAt: sus,
      dueAt: due,
      resumedAt: res,
      lateMs: s.lateMs,
    });
    cursor = Math.max(cursor, res);
  }
  const open = task.status === 'suspended' || task.status === 'paused';
  if (open) {
    const since = t(task.waitingFor?.since) ?? cursor;
    if (since > cursor) segs.push({ kind: 'running', from: cursor, to: since });
    const paused = t(task.pausedAt);
    const until = paused !== undefined && task.status === 'paused' ? Math.max(paused, since) : end;
    segs.push({ kind: 'suspended', from: since, to: until, label: task.waitingFor?.kind });
    if (until < end) segs.push({ kind: 'paused', from: until, to: end, label: task.pauseNote });
    marks.push({
      step: task.steps,
      kind: task.waitingFor?.kind ?? 'wait',
      suspendedAt: since,
      dueAt: t(task.waitingFor?.dueAt),
    });
  } else if (end > cursor) {
    segs.push({ kind: 'running', from: cursor, to: end });
  }
  return { segs, marks, start: created, end };
}

export interface Row {
  id: string;
  label: string;
  href?: string;
  task: Task;
  highlight?: boolean;
  note?: string;
}

const LABEL_W = 190;
const ROW_H = 28;
const NOTE_W = 185;

/** Round tick steps for an axis of `span` ms. */
function ticks(span: number): number {
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000,
    3_600_000, 21_600_000, 86_400_000,
  ];
  return steps.find((s) => span / s <= 8) ?? 86_400_000;
}

/**
 * Gantt chart of tasks on one time axis (ms from `origin`): a row per task, its segments coloured by
 * kind, each suspension's due time a tick and its lateness a red end. SVG, scaled to the width it is given.
 */
export function Gantt({
  rows,
  now = Date.now(),
  width = 900,
  detail = false,
}: {
  rows: Row[];
  now?: number;
  width?: number;
  detail?: boolean;
}) {
  const laid = rows.map((r) => ({ r, ...segments(r.task, now) }));
  const origin = Math.min(...laid.map((l) => l.start));
  const last = Math.max(...laid.map((l) => l.end));
  const span = Math.max(1, last - origin);
  const plot = width - LABEL_W - 28;
  const x = (v: number): number => LABEL_W + ((v - origin) / span) * plot;
  const step = ticks(span);
  const lines: number[] = [];
  for (let v = 0; v <= span + 0.5; v += step) lines.push(v);
  const extra = detail ? laid.reduce((n, l) => n + l.marks.length, 0) : 0;
  const height = 24 + (rows.length + extra) * ROW_H + 8;
  let y = 20;
  return (
    <svg
      class="gantt"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={`Timeline over ${ms(span)}`}
    >
      {lines.map((v) => (
        <g key={v}>
          <line class="grid" x1={x(origin + v)} x2={x(origin + v)} y1={14} y2={height - 4} />
          <text class="tick" x={x(origin + v)} y={11} text-anchor="middle">
            {ms(v)}
          </text>
        </g>
      ))}
      {laid.map(({ r, segs, marks }) => {
        const top = (y += ROW_H) - ROW_H;
        const own = (
          <g key={r.id} class={`row${r.highlight ? ' critical' : ''}`} data-task={r.id}>
            {r.highlight && <rect class="critical-bg" x={0} y={top + 1} width={width} height={ROW_H - 2} />}
            <a href={r.href}>
              <text class="label" x={4} y={top + 18}>
                {r.label}
                {r.note && <tspan class="note">{` ${r.note}`}</tspan>}
              </text>
            </a>
            {segs.map((s, i) => (
              // suspensions one after another stay apart: each is inset by half a pixel on either side
              <rect
                key={i}
                class={`seg seg-${s.kind}`}
                data-kind={s.kind}
                x={x(s.from) + (s.kind === 'suspended' ? 0.75 : 0)}
                y={top + 6}
                width={Math.max(1.5, x(s.to) - x(s.from) - (s.kind === 'suspended' ? 1.5 : 0))}
                height={ROW_H - 12}
              >
                <title>{`${s.kind}${s.label ? ` (${s.label})` : ''}: ${ms(s.to - s.from)}`}</title>
              </rect>
            ))}
            {marks.map((m) =>
              m.dueAt !== undefined ? (
                <line
                  key={`d${m.step}`}
                  class="due"
                  x1={x(m.dueAt)}
                  x2={x(m.dueAt)}
                  y1={top + 3}
                  y2={top + ROW_H - 3}
                />
              ) : null,
            )}
          </g>
        );
        if (!detail) return own;
        return (
          <g key={`${r.id}-d`}>
            {own}
            {marks.map((m) => {
              const ty = (y += ROW_H) - ROW_H;
              const endAt = m.resumedAt ?? now;
              // the note goes right of the bar, else left of it, else on it
              const place =
                x(endAt) + NOTE_W < width ? 'right' : x(m.suspendedAt) - NOTE_W > LABEL_W ? 'left' : 'inside';
              return (
                <g key={m.step} class="susp" data-step={m.step}>
                  <text class="label sub" x={14} y={ty + 18}>
                    {`#${m.step} ${m.kind}${m.label ? ` ${m.label}` : ''}`.slice(0, 22)}
                  </text>
                  <rect
                    class="seg seg-suspended"
                    x={x(m.suspendedAt)}
                    y={ty + 9}
                    width={Math.max(1.5, x(endAt) - x(m.suspendedAt))}
                    height={ROW_H - 18}
                  />
                  {m.dueAt !== undefined && (
                    <line class="due" x1={x(m.dueAt)} x2={x(m.dueAt)} y1={ty + 4} y2={ty + ROW_H - 4} />
                  )}
                  {m.resumedAt !== undefined && (
                    <line class="resumed" x1={x(m.resumedAt)} x2={x(m.resumedAt)} y1={ty + 4} y2={ty + ROW_H - 4} />
                  )}
                  <text
                    class={`note${place === 'inside' ? ' inside' : ''}`}
                    x={
                      place === 'right' ? x(endAt) + 6 : place === 'left' ? x(m.suspendedAt) - 6 : x(m.suspendedAt) + 6
                    }
                    y={ty + 18}
                    text-anchor={place === 'left' ? 'end' : 'start'}
                  >
                    {m.resumedAt === undefined
                      ? m.dueAt
                        ? `due ${ms(m.dueAt - origin)}`
                        : 'waiting'
                      : `due ${m.dueAt ? ms(m.dueAt - origin) : '–'} → resumed ${ms(m.resumedAt - origin)}, late ${ms(m.lateMs ?? 0)}`}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

export const Legend = () => (
  <p class="legend" aria-label="Legend">
    {(['queued', 'running', 'suspended', 'late', 'paused'] as const).map((k) => (
      <span key={k}>
        <i class={`sw seg-${k}`} /> {k}
      </span>
    ))}
    <span>
      <i class="sw due-sw" /> due time
    </span>
  </p>
);
