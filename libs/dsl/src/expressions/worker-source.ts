/**
 * The evaluation worker, as source text (run with `eval: true`, so it needs no build step). It compiles each
 * expression once with jqjs (pure JS, fast) and falls back to jq-web (jq in WebAssembly, complete) when jqjs
 * cannot parse, lacks a function, or fails. Each answer is posted on the port, then the shared counter is
 * bumped and notified, so the caller can block on it with Atomics.wait.
 */
export const WORKER_SOURCE = String.raw`
const { workerData } = require('worker_threads');
const { port, signal: sab, jqjsUrl, jqWebPath, cacheSize } = workerData;
const signal = new Int32Array(sab);
const cache = new Map();
let jqjs, jqweb;

function reply(msg) {
  port.postMessage(msg);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function outputs(list) {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  return list;
}

// constructs jqjs gets wrong (not merely lacks): sent to real jq
const JQJS_WRONG = /\/\//;

function viaJqjs(expr, input, args) {
  if (JQJS_WRONG.test(expr)) return { unsupported: true };
  let f = cache.get(expr);
  if (f === undefined) {
    try { f = jqjs.compile(expr); } catch (e) { f = null; }
    if (cache.size >= cacheSize) cache.clear();
    cache.set(expr, f);
  }
  if (f === null) return { unsupported: true };
  const out = [];
  for (const v of f.filter.node.apply(input, { userFuncArgs: {}, variables: Object.assign({}, args) })) {
    out.push(v === undefined ? null : v);
  }
  return { value: outputs(out) };
}

function viaJqWeb(expr, input, args) {
  const names = Object.keys(args);
  const bind = names.map((n) => '.a[' + JSON.stringify(n) + '] as $' + n + ' | ').join('');
  const program = bind + '.i | (' + expr + '\n)';
  const text = jqweb.raw(JSON.stringify({ i: input, a: args }), program, ['-c']);
  const out = String(text ?? '').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  return outputs(out);
}

function message(e) {
  if (e && typeof e === 'object') {
    const stderr = typeof e.stderr === 'string' ? e.stderr : '';
    const line = stderr.split('\n').find((l) => l.startsWith('jq: error')) || stderr.split('\n')[0] || e.message;
    return String(line || e).replace(/\s+/g, ' ').trim();
  }
  return String(e);
}

async function main() {
  jqjs = (await import(jqjsUrl)).default;
  jqweb = await require(jqWebPath);
  port.on('message', (req) => {
    const { id, expr, input, args, engine } = req;
    let first;
    if (engine !== 'jq') {
      try {
        const r = viaJqjs(expr, input, args);
        if (!r.unsupported) return reply({ id, ok: true, value: r.value, engine: 'jqjs' });
      } catch (e) {
        first = e;
      }
      if (engine === 'jqjs') return reply({ id, ok: false, error: first === undefined ? 'jqjs cannot compile this expression' : message(first) });
    }
    try {
      reply({ id, ok: true, value: viaJqWeb(expr, input, args), engine: 'jq' });
    } catch (e) {
      reply({ id, ok: false, error: message(e) });
    }
  });
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 1);
}
main().catch((e) => {
  Atomics.store(signal, 1, 2);
  Atomics.notify(signal, 1);
  throw e;
});
`;
