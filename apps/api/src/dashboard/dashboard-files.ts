import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { Response } from 'express';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** The page's own code only; the api it talks to is same-origin. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Loaded {
  body: Buffer;
  br?: Buffer;
  gz?: Buffer;
}

/** Where the build puts the dashboard: `<root>/dist/dashboard`, found from here in the sources and in dist alike. */
export function dashboardDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard');
}

/** Reads the built files (each once, kept in memory: the whole dashboard is a few hundred KiB) and answers them. */
@Injectable()
export class DashboardFiles {
  private readonly root = dashboardDir();
  private readonly cache = new Map<string, Loaded | null>();

  send(path: string, acceptEncoding: string | undefined, res: Response): void {
    const rel = normalize(path).replace(/^([/\\])+/, '');
    const asset = rel.startsWith(`assets${sep}`) || rel.startsWith('assets/');
    // any other path is a page of the app (it routes by the hash, but a reload of a deep link still works)
    let name = rel && !rel.startsWith('..') && extname(rel) ? rel : 'index.html';
    let file = this.load(name);
    if (!file && !asset) file = this.load((name = 'index.html'));
    if (!file) {
      res
        .status(404)
        .type('text/plain')
        .send(existsSync(this.root) ? 'not found' : 'the dashboard is not built: run npm run build');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(name)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', asset ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('Vary', 'Accept-Encoding');
    if (name === 'index.html') res.setHeader('Content-Security-Policy', CSP);
    const enc = acceptEncoding ?? '';
    if (file.br && /\bbr\b/.test(enc)) {
      res.setHeader('Content-Encoding', 'br');
      res.end(file.br);
    } else if (file.gz && /\bgzip\b/.test(enc)) {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(file.gz);
    } else {
      res.end(file.body);
    }
  }

  private load(rel: string): Loaded | null {
    if (this.cache.has(rel)) return this.cache.get(rel)!;
    const full = join(this.root, rel);
    let loaded: Loaded | null = null;
    if (full.startsWith(this.root + sep) && existsSync(full) && statSync(full).isFile()) {
      const read = (f: string): Buffer | undefined => (existsSync(f) ? readFileSync(f) : undefined);
      loaded = { body: readFileSync(full), br: read(`${full}.br`), gz: read(`${full}.gz`) };
    }
    // index.html changes with every build: not kept, so a rebuild under a running api is served at once
    if (rel !== 'index.html') this.cache.set(rel, loaded);
    return loaded;
  }
}
