import { can, get, type Json, ms, post, type Role, time } from './api';
import { Action, Badge, Card, Empty, useChanges, useLoad, View } from './ui';

interface Schedule {
  id: string;
  spec: Json;
  action: Json;
  overlap: string;
  state: 'active' | 'paused' | 'ended';
  note?: string;
  fires: number;
  lastTaskId?: string;
  next: string[];
  createdAt: string;
}
interface Fire {
  dueAt: string;
  at: string;
  lateMs: number;
  taskId?: string;
  result: 'started' | 'skipped';
  reason?: string;
  trigger?: string;
  status?: string;
}

const specText = (spec: Json): string => {
  const s = (spec ?? {}) as Record<string, Json>;
  return s.cron
    ? `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`
    : s.every !== undefined
      ? `every ${ms(Number(s.every))}`
      : s.after !== undefined
        ? `after ${ms(Number(s.after))}`
        : JSON.stringify(spec);
};

function Fires({ id }: { id: string }) {
  const l = useLoad(
    () => get<{ items: Fire[]; total: number }>(`/v1/schedules/${encodeURIComponent(id)}/fires?limit=20`),
    [id],
  );
  useChanges(l.reload, (k) => k === 'fire' || k === 'tasks', 1500);
  return (
    <View l={l}>
      {(page) =>
        page.items.length === 0 ? (
          <p class="muted">It has not fired yet.</p>
        ) : (
          <div class="table-wrap">
            <table aria-label={`Fires of ${id}`}>
              <thead>
                <tr>
                  <th>Due</th>
                  <th>Started</th>
                  <th class="num">Late</th>
                  <th>Result</th>
                  <th>Task</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((f, i) => (
                  <tr key={i}>
                    <td>{time(f.dueAt)}</td>
                    <td>{time(f.at)}</td>
                    <td class="num">{ms(f.lateMs)}</td>
                    <td>
                      {f.result}
                      {f.reason ? ` (${f.reason})` : ''}
                      {f.trigger && f.trigger !== 'schedule' ? ` · ${f.trigger}` : ''}
                    </td>
                    <td>
                      {f.taskId ? (
                        <a href={`#/tasks/${encodeURIComponent(f.taskId)}`}>
                          <code>{f.taskId}</code>
                        </a>
                      ) : (
                        '–'
                      )}{' '}
                      {f.status && <Badge status={f.status} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </View>
  );
}

export function SchedulesPage({ role, open }: { role?: Role; open?: string }) {
  const l = useLoad(() => get<{ items: Schedule[] }>('/v1/schedules?limit=100'), []);
  useChanges(l.reload, (k) => k === 'fire', 1500);
  return (
    <View l={l}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty title="No schedules">
            Create one with POST /v1/schedules (a cron expression, every or after a duration).
          </Empty>
        ) : (
          <div>
            {page.items.map((s) => (
              <Card key={s.id} title={s.id} class={open === s.id ? 'focus' : ''}>
                <p>
                  <Badge status={s.state === 'active' ? 'running' : s.state === 'paused' ? 'paused' : 'completed'} />{' '}
                  {s.state} · {specText(s.spec)} · overlap {s.overlap} · {s.fires} fires
                  {s.note ? ` · ${s.note}` : ''}
                </p>
                <p class="muted">
                  Next:{' '}
                  {s.next.length
                    ? s.next
                        .slice(0, 3)
                        .map((n) => time(n))
                        .join(', ')
                    : 'none'}{' '}
                  · tasks: <a href={`#/tasks?scheduleId=${encodeURIComponent(s.id)}`}>list</a>
                </p>
                {can(role, 'operator') && (
                  <div class="buttons">
                    {s.state === 'active' && (
                      <Action
                        label="Pause"
                        run={() => post(`/v1/schedules/${encodeURIComponent(s.id)}/pause`, {})}
                        onDone={l.reload}
                      />
                    )}
                    {s.state === 'paused' && (
                      <Action
                        label="Resume"
                        run={() => post(`/v1/schedules/${encodeURIComponent(s.id)}/resume`)}
                        onDone={l.reload}
                      />
                    )}
                    <Action
                      label="Trigger now"
                      run={() => post(`/v1/schedules/${encodeURIComponent(s.id)}/trigger`)}
                      onDone={l.reload}
                    />
                  </div>
                )}
                <details open={open === s.id}>
                  <summary>Fire history</summary>
                  <Fires id={s.id} />
                </details>
              </Card>
            ))}
          </div>
        )
      }
    </View>
  );
}
