import type { NextFunction, Request, Response } from 'express';

/**
 * The few headers a JSON api behind no browser UI needs (what helmet would set that matters here): no
 * content sniffing, no framing, no referrer, and no caching of tenant data (`/v1`). `/docs` keeps its own
 * scripts, so no Content-Security-Policy. HSTS belongs to whatever terminates TLS.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  if (req.path.startsWith('/v1/')) res.setHeader('Cache-Control', 'no-store');
  next();
}
