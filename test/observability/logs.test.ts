import type { ChildProcess } from 'node:child_process';
import { connectRedis, newId, TaskStore } from '@yieldflow/store';
import { exited, spawnApp } from '../support/processes';
import { dropPrefix, eventually, testConfig } from '../support/redis';

interface Line {
  level: number;
  msg: string;
  taskId?: string;
  step?: number;
  ns?: string;
  reason?: string;
}

/** A built worker's task logs: one completing task, one faulting; `npm test` builds first. */
describe("a worker's task logs", () => {
  const config = testConfig({ partitions: 2 });
  const redis = connectRedis(config);
  const store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
  const workers: ChildProcess[] = [];

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => exited(w)));
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const run = async (env: NodeJS.ProcessEnv, namespace: string) => {
    const worker = spawnApp('worker', config, { LOG_LEVEL: 'info', ...env });
    workers.push(worker);
    const ok = newId();
    const bad = newId();
    await store.create([
      { id: ok, namespace, kind: 'coroutine', name: 'seed.interleave-a', input: null },
      // a version no worker has: faulted at once, with the reason
      { id: bad, namespace, kind: 'coroutine', name: 'seed.interleave-b', version: 99, input: null },
    ]);
    try {
      const text = await eventually(async () => {
        const out = worker.output.join('');
        return out.includes(ok) && /completed/.test(out) && out.includes(bad) && /faulted/.test(out) ? out : undefined;
      }, 20_000);
      return { ok, bad, text };
    } finally {
      worker.kill('SIGTERM'); // the next test's worker gets the partitions
      await exited(worker);
    }
  };

  it('logs JSON lines with taskId, step and ns for each start, fault (with its reason) and end', async () => {
    const { ok, bad, text } = await run({}, 'logs-json');
    const lines = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    const of = (id: string) => lines.filter((l) => l.taskId === id).map((l) => l.msg);
    expect(of(ok)).toEqual(['task started', 'task completed']);
    expect(of(bad)).toEqual(['task started', 'task faulted']);
    for (const l of lines.filter((x) => x.taskId)) {
      expect(l).toMatchObject({ level: 30, ns: 'logs-json' });
      expect(typeof l.step).toBe('number');
    }
    expect(lines.find((l) => l.taskId === ok && l.msg === 'task completed')!.step).toBe(2); // resumed from its third sleep, journal entry 2
    expect(lines.find((l) => l.taskId === bad && l.msg === 'task faulted')!.reason).toMatch(/version 99/);
  });

  it('LOG_FORMAT=pretty prints readable lines instead', async () => {
    const { ok, text } = await run({ LOG_FORMAT: 'pretty' }, 'logs-pretty');
    const line = text.split('\n').find((l) => l.includes('task completed'))!;
    expect(line).toMatch(/INFO/);
    expect(line.startsWith('{')).toBe(false);
    expect(text).toMatch(new RegExp(`taskId: "${ok}"`));
  });
});
