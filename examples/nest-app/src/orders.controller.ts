import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { YieldflowClient } from 'yieldflow/nest';
import type { Order } from './orders.service';

/** Starts and drives the coroutines through the api, with the injected client. */
@Controller('orders')
export class OrdersController {
  constructor(private readonly yieldflow: YieldflowClient) {}

  @Post()
  async create(@Body() order: Order) {
    const fulfil = await this.yieldflow.submit({
      coroutine: 'orders.fulfil',
      input: { id: order.id, items: order.items },
    });
    const remind = await this.yieldflow.submit({
      coroutine: 'orders.remind',
      input: { id: order.id, items: order.items },
    });
    return { fulfil: fulfil.id, remind: remind.id };
  }

  @Post(':task/approve')
  approve(@Param('task') task: string, @Body() body: { by: string }) {
    return this.yieldflow.send(task, { by: body.by });
  }

  @Get(':task')
  async get(@Param('task') task: string) {
    const view = await this.yieldflow.get(task);
    return { status: view.status, output: view.output ?? null, yielded: view.yielded ?? null };
  }
}
