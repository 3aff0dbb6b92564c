import { bytes, get, ms, STATUSES } from './api';
import { Chart } from './chart';
import { Card, Empty, useChanges, useInterval, useLoad, View } from './ui';

interface Overview {
  at: string;
  counts: Record<string, number>;
  dueNow: number;
  workers: { id: string; lastSeen: string; alive: boolean; partitions: number[] }[];
  unowned: number[];
  redis: {
    up: boolean;
    pingMs?: number;
    version?: string;
    usedMemory?: number;
    usedMemoryPeak?: number;
    maxMemory?: number;
    fragmentation?: number;
    clients?: number;
    uptimeSec?: number;
    error?: string;
  };
  series: { t: number; resumesPerSec: number; p50: number | null; p99: number | null }[];
  totals: { resumes: number; lateCount: number; lateSumMs: number };
}

export function OverviewPage() {
  const l = useLoad(() => get<Overview>('/v1/overview'), []);
  useInterval(l.reload, 2000);
  useChanges(l.reload);
  if (l.error?.status === 403 && !l.data)
    return (
      <Empty title="The overview reports on the whole deployment">
        It needs a key of namespace <code>system</code> (a viewer key there will do). Tasks, batches, schedules and
        definitions of your namespace are in the other tabs.
      </Empty>
    );
  return (
    <View l={l}>
      {(o) => {
        const times = o.series.map((p) => p.t / 1000);
        const waiting = o.counts.queued ?? 0;
        return (
          <div class="overview">
            <div class="tiles" aria-label="Tasks by status">
              {STATUSES.map((s) => (
                <a key={s} class={`tile s-${s}`} href={`#/tasks?status=${s}`}>
                  <span class="n" data-status={s}>
                    {(o.counts[s] ?? 0).toLocaleString()}
                  </span>
                  <span>{s}</span>
                </a>
              ))}
            </div>
            <div class="grid2">
              <Chart
                title="Resumes per second"
                unit=""
                times={times}
                series={[
                  {
                    label: 'resumes/s',
                    color: 'var(--accent)',
                    values: o.series.map((p) => Math.round(p.resumesPerSec * 10) / 10),
                  },
                ]}
              />
              <Chart
                title="Resume lateness (ms)"
                unit=""
                times={times}
                series={[
                  { label: 'p50', color: '#3b82f6', values: o.series.map((p) => p.p50) },
                  { label: 'p99', color: '#ef4444', values: o.series.map((p) => p.p99) },
                ]}
              />
            </div>
            <div class="grid3">
              <Card title="Waiting to start">
                <p class="big">{waiting.toLocaleString()}</p>
                <p class="muted">
                  queued; {o.dueNow.toLocaleString()} due now and not yet taken by a worker.{' '}
                  {o.totals.resumes.toLocaleString()} resumes in all, mean lateness{' '}
                  {ms(o.totals.lateCount ? o.totals.lateSumMs / o.totals.lateCount : null)}.
                </p>
              </Card>
              <Card title="Redis">
                {o.redis.up ? (
                  <dl class="kv">
                    <dt>health</dt>
                    <dd>
                      <span class="badge s-completed">up</span> ping {o.redis.pingMs} ms
                    </dd>
                    <dt>memory</dt>
                    <dd>
                      {bytes(o.redis.usedMemory)} used
                      {o.redis.maxMemory ? ` of ${bytes(o.redis.maxMemory)}` : ' (no maxmemory)'}, peak{' '}
                      {bytes(o.redis.usedMemoryPeak)}
                    </dd>
                    {o.redis.maxMemory ? (
                      <dd>
                        <meter
                          min={0}
                          max={o.redis.maxMemory}
                          high={o.redis.maxMemory * 0.8}
                          value={o.redis.usedMemory}
                        />
                      </dd>
                    ) : null}
                    <dt>version</dt>
                    <dd>
                      {o.redis.version}, up {ms((o.redis.uptimeSec ?? 0) * 1000)}, {o.redis.clients} clients
                    </dd>
                  </dl>
                ) : (
                  <p class="inline-error">down: {o.redis.error}</p>
                )}
              </Card>
              <Card title={`Workers (${o.workers.filter((w) => w.alive).length} alive)`}>
                {o.workers.length === 0 ? (
                  <p class="muted">No worker has registered. Start one: npm run start:worker.</p>
                ) : (
                  <ul class="workers">
                    {o.workers.map((w) => (
                      <li key={w.id}>
                        <span class={`dot ${w.alive ? 'up' : 'down'}`} aria-label={w.alive ? 'alive' : 'silent'} />{' '}
                        <code>{w.id}</code>{' '}
                        <span class="muted">
                          {w.alive ? '' : `silent since ${new Date(w.lastSeen).toLocaleTimeString()}`}
                        </span>
                        <div class="chips" aria-label="partitions held">
                          {w.partitions.length ? (
                            w.partitions.map((p) => (
                              <span key={p} class="chip">
                                {p}
                              </span>
                            ))
                          ) : (
                            <span class="muted">no partitions</span>
                          )}
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
                {o.unowned.length > 0 && (
                  <p class="inline-error">Partitions without an owner: {o.unowned.join(', ')}</p>
                )}
              </Card>
            </div>
          </div>
        );
      }}
    </View>
  );
}
