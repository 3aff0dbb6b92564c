import { useState } from 'preact/hooks';
import { ApiError, get, ms, STATUSES, type Task, taskName, time } from './api';
import { navigate } from './route';
import { Badge, Empty, useChanges, useLoad, View } from './ui';

/** The list's filters, by their query parameter names on GET /v1/tasks. */
export const FILTERS = [
  'status',
  'coroutine',
  'definition',
  'batchId',
  'scheduleId',
  'createdAfter',
  'createdBefore',
  'idPrefix',
] as const;
type Filter = (typeof FILTERS)[number];

/** Filters this api refused (an older api answers 400 "property X should not exist"): left out, and said so. */
const unsupported = new Set<string>();

interface Page {
  items: Task[];
  nextCursor?: string;
  dropped: string[];
}

async function loadPage(params: Record<string, string>, cursor?: string): Promise<Page> {
  for (;;) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      if (v && !unsupported.has(k))
        q.set(k, k === 'createdAfter' || k === 'createdBefore' ? new Date(v).toISOString() : v);
    q.set('limit', '25');
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await get<{ items: Task[]; nextCursor?: string }>(`/v1/tasks?${q}`);
      return { ...page, dropped: Object.keys(params).filter((k) => params[k] && unsupported.has(k)) };
    } catch (err) {
      const m =
        err instanceof ApiError && err.status === 400 ? /property (\w+) should not exist/.exec(err.message) : null;
      if (!m || unsupported.has(m[1])) throw err;
      unsupported.add(m[1]);
    }
  }
}

export function TasksPage({ params }: { params: Record<string, string> }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const key = FILTERS.map((f) => params[f] ?? '').join('|');
  const l = useLoad(
    () => loadPage(Object.fromEntries(FILTERS.map((f) => [f, params[f] ?? ''])), cursor),
    [key, cursor],
  );
  useChanges(l.reload);
  const set = (f: Filter, v: string): void => {
    const next = new URLSearchParams(params);
    if (v) next.set(f, v);
    else next.delete(f);
    setCursors([]);
    navigate(`/tasks?${next}`);
  };
  return (
    <div>
      <form
        key={key}
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          const next = new URLSearchParams();
          for (const f of FILTERS) {
            const v = String(fd.get(f) ?? '').trim();
            if (v) next.set(f, v);
          }
          setCursors([]);
          navigate(`/tasks?${next}`);
        }}
      >
        <label>
          Status
          <select name="status" value={params.status ?? ''} onChange={(e) => set('status', e.currentTarget.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Coroutine
          <input name="coroutine" placeholder="seed.func-a" defaultValue={params.coroutine ?? ''} />
        </label>
        <label>
          Definition
          <input name="definition" placeholder="ns/name" defaultValue={params.definition ?? ''} />
        </label>
        <label>
          Batch
          <input name="batchId" defaultValue={params.batchId ?? ''} />
        </label>
        <label>
          Schedule
          <input name="scheduleId" defaultValue={params.scheduleId ?? ''} />
        </label>
        <label>
          Created after
          <input name="createdAfter" type="datetime-local" step="1" defaultValue={params.createdAfter ?? ''} />
        </label>
        <label>
          Created before
          <input name="createdBefore" type="datetime-local" step="1" defaultValue={params.createdBefore ?? ''} />
        </label>
        <label>
          Id starts with
          <input name="idPrefix" defaultValue={params.idPrefix ?? ''} />
        </label>
        <div class="buttons">
          <button type="submit">Apply</button>
          <button type="button" class="ghost" onClick={() => navigate('/tasks')}>
            Clear
          </button>
        </div>
      </form>
      <View l={l}>
        {(page) => (
          <>
            {page.dropped.length > 0 && (
              <p class="notice" role="status">
                This api does not filter by {page.dropped.join(', ')} yet: those filters are left out.
              </p>
            )}
            {page.items.length === 0 ? (
              <Empty title="No tasks match">
                {cursor
                  ? 'This page is past the last one.'
                  : 'Submit one with POST /v1/tasks, or clear the filters. New tasks appear here as they are submitted.'}
              </Empty>
            ) : (
              <div class="table-wrap">
                <table class="tasks" aria-label="Tasks">
                  <thead>
                    <tr>
                      <th>Task</th>
                      <th>Status</th>
                      <th>Runs</th>
                      <th>Created</th>
                      <th class="num">Elapsed</th>
                      <th class="num">Steps</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((t) => (
                      <tr key={t.id} data-id={t.id} data-status={t.status}>
                        <td>
                          <a href={`#/tasks/${encodeURIComponent(t.id)}`}>
                            <code>{t.id}</code>
                          </a>
                        </td>
                        <td>
                          <Badge status={t.status} />
                        </td>
                        <td>{taskName(t)}</td>
                        <td>{time(t.createdAt)}</td>
                        <td class="num">{ms(t.elapsedMs)}</td>
                        <td class="num">{t.steps}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                ← Newer
              </button>
              <span class="muted">page {cursors.length + 1}</span>
              <button
                type="button"
                disabled={!page.nextCursor}
                onClick={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}
              >
                Older →
              </button>
            </nav>
          </>
        )}
      </View>
    </div>
  );
}
