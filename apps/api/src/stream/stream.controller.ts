import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '../auth/roles';
import { Namespace } from '../common/namespace';
import { ChangeFeed } from './change-feed';

/** Past this many bytes waiting for a slow client, changes are dropped and the client told to refresh. */
const LAG_BYTES = 1 << 20;
const PING_MS = 15_000;

@ApiTags('stream')
@Controller('v1/stream')
export class StreamController {
  constructor(private readonly feed: ChangeFeed) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    summary:
      "Server-sent events: the namespace's task changes as they happen (task state changes, resumes, schedule fires)",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    schema: { type: 'string', description: 'server-sent events' },
    description:
      'text/event-stream. `event: tasks` (and `created`, `control`, `batch`, `fire`) with `data: [{ id, status, step? }]`; `event: reset` when changes were dropped (refresh); a comment line every 15 s',
  })
  stream(@Namespace() ns: string, @Req() req: Request, @Res() res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ namespace: ns })}\n\n`);
    let lagging = false;
    const stop = this.feed.listen(ns, (kind, changes) => {
      if (res.writableLength > LAG_BYTES) {
        lagging = true;
        return;
      }
      if (lagging) {
        lagging = false;
        res.write('event: reset\ndata: {}\n\n');
      }
      res.write(`event: ${kind}\ndata: ${JSON.stringify(changes)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    req.on('close', () => {
      clearInterval(ping);
      stop();
    });
  }
}
