/**
 * A Redis error reply from a script that raised (a value it cannot take), as opposed to a connection that
 * failed or a Redis that cannot write now (loading, busy, out of memory, failing over): those pass, and
 * the same call succeeds later; a script error comes back every time.
 */
export const isScriptError = (err: unknown): boolean =>
  err instanceof Error &&
  err.name === 'ReplyError' &&
  !/^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|OOM|NOSCRIPT|TRYAGAIN)/.test(err.message);
