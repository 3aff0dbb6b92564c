import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { YieldflowModule } from 'yieldflow/nest';
import { MailerService } from './mailer.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PACKING_QUEUE, PackingProcessor } from './packing.processor';

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };
const bullPrefix = process.env.BULL_PREFIX ?? 'bull';

@Module({
  imports: [
    BullModule.forRoot({ connection, prefix: bullPrefix }),
    BullModule.registerQueue({ name: PACKING_QUEUE }),
    YieldflowModule.forRootAsync({
      useFactory: () => ({
        redis: redisUrl.href,
        prefix: process.env.YF_PREFIX ?? 'yf',
        partitions: Number(process.env.PARTITIONS ?? 16),
        bullmq: { connection, prefix: bullPrefix }, // where job() adds its jobs: the processor's queue
        baseUrl: process.env.YIELDFLOW_URL ?? 'http://127.0.0.1:3000',
        apiKey: process.env.YIELDFLOW_KEY,
      }),
    }),
  ],
  controllers: [OrdersController],
  providers: [OrdersService, MailerService, PackingProcessor],
})
export class AppModule {}
