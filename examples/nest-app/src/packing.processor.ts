import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';

export const PACKING_QUEUE = process.env.PACKING_QUEUE ?? 'packing';

/** An ordinary @nestjs/bullmq processor: it knows nothing of Yieldflow. `orders.fulfil` runs it as a step. */
@Processor(PACKING_QUEUE)
export class PackingProcessor extends WorkerHost {
  async process(job: Job<{ order: string; items: number }>): Promise<{ order: string; boxes: number }> {
    return { order: job.data.order, boxes: Math.ceil(job.data.items / 2) };
  }
}
