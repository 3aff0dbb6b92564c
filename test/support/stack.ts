import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Config, TaskView } from '@yieldflow/contracts';
import { createApp } from '../../apps/api/src/create-app';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, testConfig } from './redis';

export interface Stack {
  config: Config;
  app: INestApplication;
  http: ReturnType<typeof request>;
  workers: Worker[];
  /** Poll a task until its status is one of `statuses`. */
  until(id: string, statuses: string[], timeoutMs?: number): Promise<TaskView>;
  close(): Promise<void>;
}

/** The api in-process and `workers` dispatchers, on a key prefix of their own. */
export async function startStack(
  opts: { workers?: number; config?: Partial<Config>; env?: NodeJS.ProcessEnv } = {},
): Promise<Stack> {
  const config = testConfig({ partitions: 8, ...opts.config }, opts.env);
  const app = await createApp(config, { logLevel: 'silent' });
  await app.init();
  const workers: Worker[] = [];
  for (let i = 0; i < (opts.workers ?? 1); i++) workers.push(await createWorker(config, { heartbeatMs: 250 }));
  const http = request(app.getHttpServer());
  return {
    config,
    app,
    http,
    workers,
    until: (id, statuses, timeoutMs = 10_000) =>
      eventually(async () => {
        const res = await http.get(`/v1/tasks/${id}`);
        return statuses.includes(res.body.status) ? res.body : undefined;
      }, timeoutMs),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await app.close();
      await dropPrefix(config.prefix);
    },
  };
}
