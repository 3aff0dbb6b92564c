import { Module } from '@nestjs/common';
import { YieldflowModule } from 'yieldflow/nest';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [
    YieldflowModule.forRootAsync({
      useFactory: () => ({
        redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        prefix: process.env.YF_PREFIX ?? 'yf',
        partitions: Number(process.env.PARTITIONS ?? 16),
        baseUrl: process.env.YIELDFLOW_URL ?? 'http://127.0.0.1:3000',
        apiKey: process.env.YIELDFLOW_KEY,
      }),
    }),
  ],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class AppModule {}
