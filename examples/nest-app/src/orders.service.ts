import { Injectable } from '@nestjs/common';
import { type CoroutineContext, type Json, receive, sleep } from 'yieldflow';
import { Coroutine } from 'yieldflow/nest';

export interface Order {
  id: string;
  items: number;
}

/**
 * The coroutines of this app: methods of an ordinary provider. Between two yields they only compute
 * (they are replayed after a crash); everything else is an effect the worker performs.
 */
@Injectable()
export class OrdersService {
  /** Wait a little, then for a person's approval (sent through the api), and answer what was decided. */
  @Coroutine('orders.fulfil')
  *fulfil(input: Order, ctx: CoroutineContext): Generator<any, Json, any> {
    const started = ctx.now();
    yield sleep(300, 'cooling-off');
    const approval: { by: string } = yield receive({ order: input.id, awaiting: 'approval' });
    return { order: input.id, items: input.items, approvedBy: approval.by, waitedMs: ctx.now() - started };
  }

  /** A reminder: sleeps durably, then answers. */
  @Coroutine('orders.remind')
  *remind(input: Order): Generator<any, Json, any> {
    yield sleep(200);
    return { reminded: input.id };
  }
}
