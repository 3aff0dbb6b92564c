import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles';
import { DashboardFiles } from './dashboard-files';

/**
 * The dashboard (apps/dashboard, built into dist/dashboard) at /dashboard. The page itself is public; what
 * it shows comes from /v1 with the key the user signs in with. index.html is revalidated on every load,
 * the hashed assets are cached for a year; each answer is brotli or gzip when the browser takes it (the
 * build writes both next to every asset).
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly files: DashboardFiles) {}

  @Get()
  @Public()
  index(@Headers('accept-encoding') enc: string | undefined, @Res() res: Response): void {
    this.files.send('index.html', enc, res);
  }

  @Get('*path')
  @Public()
  file(
    @Param('path') path: string[] | string,
    @Headers('accept-encoding') enc: string | undefined,
    @Res() res: Response,
  ): void {
    this.files.send(Array.isArray(path) ? path.join('/') : path, enc, res);
  }
}
