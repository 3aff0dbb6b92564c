/**
 * The api scenario's peer: what a user would write with BullMQ alone, a minimal Express app in front
 * of a queue. `POST /tasks` is `queue.add`, `POST /batches` is `queue.addBulk`, and `POST /send/:id`
 * is a request answered by a job: `queue.add` then `job.waitUntilFinished(queueEvents)`, processed by
 * a BullMQ Worker (concurrency 50) in this process that returns the value it was given.
 *
 * Run as its own process by bench/api.ts: PORT, REDIS_URL, BULL_PREFIX in the environment; it prints
 * `ready` once it listens.
 */
import express from 'express';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { connectionFromUrl } from '../redis';

async function main(): Promise<void> {
  const connection = connectionFromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = process.env.BULL_PREFIX ?? 'bench-peer';
  const queue = new Queue('tasks', { connection, prefix });
  const replies = new Queue('replies', { connection, prefix });
  const events = new QueueEvents('replies', { connection, prefix });
  const worker = new Worker('replies', async (j: Job) => (j.data as { value: unknown }).value, {
    connection,
    prefix,
    concurrency: 50,
  });
  await Promise.all([
    queue.waitUntilReady(),
    replies.waitUntilReady(),
    events.waitUntilReady(),
    worker.waitUntilReady(),
  ]);

  const app = express();
  app.use(express.json({ limit: '10mb' }));
  app.post('/tasks', async (req, res) => {
    const job = await queue.add('task', req.body, { removeOnComplete: true });
    res.status(201).json({ id: job.id });
  });
  app.post('/batches', async (req, res) => {
    const tasks = (req.body as { tasks: unknown[] }).tasks;
    const jobs = await queue.addBulk(tasks.map((data) => ({ name: 'task', data })));
    res.status(201).json({ count: jobs.length });
  });
  app.post('/send/:id', async (req, res) => {
    const job = await replies.add(
      'send',
      { id: req.params.id, value: (req.body as { value?: unknown }).value ?? null },
      {
        removeOnComplete: 1000,
      },
    );
    const yielded: unknown = await job.waitUntilFinished(events, 10_000);
    res.status(200).json({ yielded });
  });
  const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => {
    server.close();
    void Promise.all([worker.close(), events.close(), replies.close(), queue.close()]).then(() => process.exit(0));
  });
}

main().catch((err: Error) => {
  process.stderr.write(`express-bullmq: ${err.message}\n`);
  process.exit(1);
});
