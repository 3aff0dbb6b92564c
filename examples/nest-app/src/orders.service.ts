import { Injectable } from '@nestjs/common';
import {
  activity,
  type CoroutineContext,
  type Effect,
  job,
  type Json,
  receive,
  sleep,
  type YieldResult,
} from 'yieldflow';
import { Coroutine } from 'yieldflow/nest';
import { PACKING_QUEUE } from './packing.processor';

export interface Order {
  id: string;
  items: number;
}

/**
 * The coroutines of this app: methods of an ordinary provider. Between two yields they only compute
 * (they are replayed after a crash, and a step after a sleep may run before the sleep is due): the
 * mailer is called through `activity()`, never directly.
 */
@Injectable()
export class OrdersService {
  /** Wait a little, pack the order with the BullMQ processor, then wait for a person's approval sent through the api. */
  @Coroutine('orders.fulfil')
  *fulfil(input: Order, ctx: CoroutineContext): Generator<Effect, Json, YieldResult> {
    const started = ctx.now();
    yield sleep(300, 'cooling-off');
    const packed: { boxes: number } = yield job(PACKING_QUEUE, 'pack', { order: input.id, items: input.items });
    const approval: { by: string } = yield receive({ order: input.id, boxes: packed.boxes, awaiting: 'approval' });
    return { order: input.id, boxes: packed.boxes, approvedBy: approval.by, waitedMs: ctx.now() - started };
  }

  /** A reminder: sleeps durably, then has the mailer send it (an activity). */
  @Coroutine('orders.remind')
  *remind(input: Order): Generator<Effect, Json, YieldResult> {
    yield sleep(200);
    // wrong: this.mailer.send(...) here would run again after a crash, and maybe before the sleep is due
    const mail: { sent: number } = yield activity('mailer.send', {
      to: `customer-of-${input.id}`,
      subject: 'your order',
    });
    return { reminded: input.id, sent: mail.sent };
  }
}
