import { useState } from 'preact/hooks';
import { type Batch, get, ms, type Task, taskName } from './api';
import { navigate } from './route';
import { Gantt, Legend, type Row } from './timeline';
import { Badge, Card, Empty, useChanges, useLoad, View } from './ui';

async function loadBatch(id: string): Promise<{ batch: Batch; tasks: Task[] }> {
  const [batch, page] = await Promise.all([
    get<Batch>(`/v1/batches/${encodeURIComponent(id)}`),
    get<{ items: Task[] }>(`/v1/tasks?batchId=${encodeURIComponent(id)}&limit=200`),
  ]);
  // list items without their suspensions (an api before they were added): read the first 50 tasks one by one
  const complete = page.items.every((t) => Array.isArray(t.suspensions) && (t.suspensions.length > 0 || t.steps === 0));
  const tasks = complete
    ? page.items
    : await Promise.all(page.items.slice(0, 50).map((t) => get<Task>(`/v1/tasks/${encodeURIComponent(t.id)}`)));
  return { batch, tasks };
}

/** The task that ended last (or is still going) is the batch's critical path: its wall time is the batch's. */
function critical(tasks: Task[]): Task | undefined {
  const end = (t: Task): number => (t.finishedAt ? Date.parse(t.finishedAt) : Infinity);
  return tasks.reduce<Task | undefined>((best, t) => (!best || end(t) > end(best) ? t : best), undefined);
}

function BatchView({ id }: { id: string }) {
  const l = useLoad(() => loadBatch(id), [id]);
  useChanges(l.reload, () => true, 1000);
  return (
    <View l={l}>
      {({ batch, tasks }) => {
        const crit = critical(tasks);
        const rows: Row[] = tasks.map((t) => ({
          id: t.id,
          label: taskName(t),
          href: `#/tasks/${encodeURIComponent(t.id)}`,
          task: t,
          highlight: t === crit,
          note: `${ms(t.elapsedMs)}${t === crit ? ' ★' : ''}`,
        }));
        const waited = crit?.suspensions?.map((s) => `${s.kind}${s.label ? ` ${s.label}` : ''}`).join(', ');
        return (
          <div>
            <div class="tiles stats" aria-label="Batch times">
              <div class="tile">
                <span class="n" data-stat="wall">
                  {ms(batch.wallMs)}
                </span>
                <span>wall time</span>
              </div>
              <div class="tile">
                <span class="n" data-stat="sum">
                  {ms(batch.sumElapsedMs)}
                </span>
                <span>sum of tasks’ elapsed</span>
              </div>
              <div class="tile">
                <span class="n" data-stat="speedup">
                  {batch.speedup ? `${batch.speedup.toFixed(2)}×` : '–'}
                </span>
                <span>speedup</span>
              </div>
              <div class="tile">
                <span class="n">{batch.total}</span>
                <span>
                  tasks:{' '}
                  {Object.entries(batch.counts)
                    .filter(([, n]) => n)
                    .map(([s, n]) => `${n} ${s}`)
                    .join(', ')}
                </span>
              </div>
            </div>
            <Card title="Timelines, one time axis">
              {tasks.length ? <Gantt rows={rows} /> : <Empty title="This batch has no tasks" />}
              <Legend />
              {crit && (
                <p class="muted">
                  Critical path (★): <a href={`#/tasks/${encodeURIComponent(crit.id)}`}>{taskName(crit)}</a>{' '}
                  <Badge status={crit.status} /> ended last, after {ms(crit.elapsedMs)}
                  {waited ? `, waiting on ${waited}` : ''}.
                </p>
              )}
            </Card>
          </div>
        );
      }}
    </View>
  );
}

function RecentBatches() {
  const l = useLoad(async () => {
    const page = await get<{ items: Task[] }>('/v1/tasks?limit=200');
    const seen = new Map<string, { n: number; created: string }>();
    for (const t of page.items)
      if (t.batchId) seen.set(t.batchId, { n: (seen.get(t.batchId)?.n ?? 0) + 1, created: t.createdAt });
    return [...seen.entries()];
  }, []);
  useChanges(l.reload, (k) => k === 'created', 2000);
  return (
    <View l={l}>
      {(list) =>
        list.length === 0 ? (
          <Empty title="No batch among the latest 200 tasks">
            Submit one with POST /v1/batches, or open one by its id above.
          </Empty>
        ) : (
          <ul class="links">
            {list.map(([id, v]) => (
              <li key={id}>
                <a href={`#/batches/${encodeURIComponent(id)}`}>
                  <code>{id}</code>
                </a>{' '}
                <span class="muted">
                  {v.n}+ tasks, {new Date(v.created).toLocaleString()}
                </span>
              </li>
            ))}
          </ul>
        )
      }
    </View>
  );
}

export function BatchesPage({ id }: { id?: string }) {
  const [value, setValue] = useState(id ?? '');
  return (
    <div>
      <form
        class="filters"
        aria-label="Open a batch"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) navigate(`/batches/${encodeURIComponent(value.trim())}`);
        }}
      >
        <label>
          Batch id
          <input value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <div class="buttons">
          <button type="submit">Open</button>
        </div>
      </form>
      {id ? <BatchView id={id} /> : <RecentBatches />}
    </div>
  );
}
