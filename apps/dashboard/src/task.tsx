import { useState } from 'preact/hooks';
import { can, ended, get, type Json, ms, post, type Role, type Task, taskName, time } from './api';
import { Flow } from './flow';
import { navigate } from './route';
import { Gantt, Legend } from './timeline';
import { Action, Badge, Card, JsonView, useChanges, useInterval, useLoad, View } from './ui';

interface DefinitionDoc {
  definition: Json;
}

function Definition({ task }: { task: Task }) {
  const d = task.definition!;
  const l = useLoad(
    () =>
      d.name && d.namespace && d.version
        ? get<DefinitionDoc>(
            `/v1/definitions/${encodeURIComponent(d.namespace)}/${encodeURIComponent(d.name)}/${encodeURIComponent(d.version)}`,
          )
        : Promise.resolve(null),
    [d.hash],
  );
  const ran = new Set(
    (task.trace ?? []).map((e) =>
      e && typeof e === 'object' && !Array.isArray(e)
        ? String((e as Record<string, Json>).task ?? (e as Record<string, Json>).name ?? '')
        : '',
    ),
  );
  return (
    <Card title={`Definition ${d.namespace ?? ''}/${d.name ?? ''} ${d.version ?? ''}`}>
      <View l={l}>
        {(doc) =>
          doc?.definition ? (
            <div class="grid2">
              <div>
                <h4>Its do list</h4>
                <Flow doc={doc.definition} ran={ran} />
              </div>
              <JsonView label="Source" value={doc.definition} />
            </div>
          ) : (
            <p class="muted">
              An inline definition (content hash {d.hash.slice(0, 12)}…): register it to see its source here.
            </p>
          )
        }
      </View>
    </Card>
  );
}

function parseJson(text: string): Json {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function Actions({ task, role, reload }: { task: Task; role?: Role; reload: () => void }) {
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState<Json>();
  const [eventType, setEventType] = useState('');
  const [eventData, setEventData] = useState('');
  const id = encodeURIComponent(task.id);
  const done = (): void => reload();
  if (!can(role, 'submitter'))
    return <p class="muted">Your key’s role ({role ?? 'unknown'}) may only read: actions are hidden.</p>;
  const live = !ended(task.status);
  return (
    <div class="actions">
      {live && (
        <form
          class="inline"
          aria-label="Send a value"
          onSubmit={(e) => {
            e.preventDefault();
            setAnswer(undefined);
          }}
        >
          <label>
            Value (JSON)
            <input name="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="1" />
          </label>
          <Action
            label="Send"
            run={() => post(`/v1/tasks/${id}/send`, { value: parseJson(value) })}
            onDone={(r) => {
              setAnswer(r as Json);
              done();
            }}
          />
          {answer !== undefined && (
            <output class="answer" aria-label="Yielded back">
              yielded <code>{JSON.stringify((answer as Record<string, Json>)?.yielded ?? null)}</code>, now{' '}
              {(answer as Record<string, Json>)?.status as string}
            </output>
          )}
        </form>
      )}
      <form class="inline" aria-label="Publish an event" onSubmit={(e) => e.preventDefault()}>
        <label>
          Event type
          <input
            value={eventType}
            onInput={(e) => setEventType(e.currentTarget.value)}
            placeholder="com.example.ready"
          />
        </label>
        <label>
          data (JSON)
          <input value={eventData} onInput={(e) => setEventData(e.currentTarget.value)} placeholder="{}" />
        </label>
        <Action
          label="Publish"
          run={() => post('/v1/events', { type: eventType, source: 'dashboard', data: parseJson(eventData) })}
          onDone={done}
        />
      </form>
      {can(role, 'operator') && (
        <div class="buttons" role="group" aria-label="Control">
          {live && <Action label="Cancel" danger run={() => post(`/v1/tasks/${id}/cancel`)} onDone={done} />}
          {live && <Action label="Terminate" danger run={() => post(`/v1/tasks/${id}/terminate`)} onDone={done} />}
          {(task.status === 'queued' || task.status === 'suspended' || task.status === 'running') && (
            <Action label="Pause" run={() => post(`/v1/tasks/${id}/pause`, {})} onDone={done} />
          )}
          {task.status === 'paused' && (
            <Action label="Resume" run={() => post(`/v1/tasks/${id}/resume`)} onDone={done} />
          )}
          {task.status === 'faulted' && (
            <Action label="Retry" run={() => post(`/v1/tasks/${id}/retry`)} onDone={done} />
          )}
          {ended(task.status) && (
            <Action
              label="Rerun"
              run={() => post<Task>(`/v1/tasks/${id}/rerun`, {})}
              onDone={(r) => navigate(`/tasks/${encodeURIComponent((r as Task).id)}`)}
            />
          )}
        </div>
      )}
    </div>
  );
}

export function TaskPage({ id, role }: { id: string; role?: Role }) {
  const l = useLoad(() => get<Task>(`/v1/tasks/${encodeURIComponent(id)}`), [id]);
  useChanges(l.reload, (_k, c) => c.length === 0 || c.some((x) => x.id === id), 300);
  // a live task's open segment grows: redraw it while it is not ended
  const [, tick] = useState(0);
  useInterval(() => l.data && !ended(l.data.status) && tick((n) => n + 1), 1000);
  return (
    <View l={l}>
      {(t) => (
        <div class="task">
          <header class="task-head">
            <h2>
              <code>{t.id}</code> <Badge status={t.status} />
              {t.terminated && <span class="badge">terminated</span>}
            </h2>
            <p class="muted">
              {taskName(t)} · created {time(t.createdAt)} · elapsed {ms(t.elapsedMs)} · {t.steps} steps
              {t.batchId && (
                <>
                  {' '}
                  · batch <a href={`#/batches/${encodeURIComponent(t.batchId)}`}>{t.batchId}</a>
                </>
              )}
              {t.scheduleId && (
                <>
                  {' '}
                  · schedule <a href={`#/schedules?id=${encodeURIComponent(t.scheduleId)}`}>{t.scheduleId}</a>
                </>
              )}
              {t.parentId && (
                <>
                  {' '}
                  · parent <a href={`#/tasks/${encodeURIComponent(t.parentId)}`}>{t.parentId}</a>
                </>
              )}
              {t.rerunOf && (
                <>
                  {' '}
                  · rerun of <a href={`#/tasks/${encodeURIComponent(t.rerunOf)}`}>{t.rerunOf}</a>
                </>
              )}
            </p>
          </header>
          <Card title="Timeline">
            <Gantt rows={[{ id: t.id, label: 'life', task: t }]} detail />
            <Legend />
            {t.breakdown && (
              <p class="muted small">
                queued {ms(t.breakdown.queuedMs)} · running {ms(t.breakdown.runningMs)} · suspended{' '}
                {ms(t.breakdown.suspendedMs)} · paused {ms(t.breakdown.pausedMs)}
              </p>
            )}
          </Card>
          <Card title="Actions">
            <Actions task={t} role={role} reload={l.reload} />
          </Card>
          <div class="grid2">
            <Card title="Now">
              {t.waitingFor ? (
                <p>
                  Waits for <strong>{t.waitingFor.kind}</strong>
                  {t.waitingFor.since && ` since ${time(t.waitingFor.since)}`}
                  {t.waitingFor.dueAt && `, due ${time(t.waitingFor.dueAt)}`}
                  {t.waitingFor.deadline && `, deadline ${time(t.waitingFor.deadline)}`}
                </p>
              ) : (
                <p class="muted">{ended(t.status) ? `Ended ${time(t.finishedAt)}.` : 'Waits for nothing.'}</p>
              )}
              {t.pauseNote && <p>Paused: {t.pauseNote}</p>}
              <JsonView label="Waits on" value={t.waitingFor?.effect} />
              <JsonView label="Last yielded" value={t.yielded} />
            </Card>
            <Card title="Values">
              <JsonView label="Input" value={t.input} />
              <JsonView label="Output" value={t.output} />
              <JsonView label="Error" value={t.error} />
            </Card>
          </div>
          <Card title={`Steps (${t.suspensionsPage?.total ?? t.suspensions?.length ?? 0} suspensions)`}>
            {t.suspensions?.length ? (
              <div class="table-wrap">
                <table aria-label="Suspensions">
                  <thead>
                    <tr>
                      <th class="num">Step</th>
                      <th>Kind</th>
                      <th>Suspended</th>
                      <th>Due</th>
                      <th>Resumed</th>
                      <th class="num">Late</th>
                      <th>Result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {t.suspensions.map((s) => (
                      <tr key={s.step}>
                        <td class="num">{s.step}</td>
                        <td>
                          {s.kind}
                          {s.label ? ` ${s.label}` : ''}
                        </td>
                        <td>{time(s.suspendedAt)}</td>
                        <td>{time(s.dueAt)}</td>
                        <td>{time(s.resumedAt)}</td>
                        <td class="num">{ms(s.lateMs)}</td>
                        <td>
                          <code class="clip">
                            {s.truncated ? `${s.truncated.bytes} bytes` : JSON.stringify(s.error ?? s.result ?? null)}
                          </code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="muted">No suspension resolved yet.</p>
            )}
            {t.trace && t.trace.length > 0 && (
              <>
                <h4>Trace (which task ran when)</h4>
                <ol class="trace">
                  {t.trace.map((e, i) => (
                    <li key={i}>
                      <code class="clip">{JSON.stringify(e)}</code>
                    </li>
                  ))}
                </ol>
              </>
            )}
          </Card>
          {t.definition && <Definition task={t} />}
        </div>
      )}
    </View>
  );
}
