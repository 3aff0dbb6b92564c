/**
 * Expressions are evaluated in a child process with a capped V8 heap: a worker thread's resourceLimits are
 * best effort (some allocation shapes abort the whole process, nodejs/node#47224), a process is not. The
 * caller (synchronous: the interpreter is a generator) blocks with Atomics.wait on a relay thread, which
 * forwards each request to the child over IPC and posts the answer back. Both are source text run with
 * `eval`, so they need no build step.
 *
 * The relay writes the child's pid into the shared array (slot 2), so the caller can SIGKILL it on a
 * timeout. A child that dies mid-request (out of memory) is answered for and replaced.
 */
export const RELAY_SOURCE = String.raw`
const { workerData } = require('worker_threads');
const { spawn } = require('child_process');
const { port, signal: sab, childSource, maxMemoryMb, jqjsUrl, jqWebPath, cacheSize } = workerData;
const signal = new Int32Array(sab);
let child;
let pending = null;

function reply(msg) {
  port.postMessage(msg);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function start(onReady) {
  const flags = ['--max-old-space-size=' + maxMemoryMb, '--max-semi-space-size=' + Math.max(1, Math.floor(maxMemoryMb / 16))];
  child = spawn(process.execPath, [...flags, '-e', childSource], {
    env: { PATH: process.env.PATH, YF_JQ: JSON.stringify({ jqjsUrl, jqWebPath, cacheSize }) },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
  });
  Atomics.store(signal, 2, child.pid || 0);
  child.on('message', (msg) => {
    if (msg && msg.ready) return onReady && onReady();
    if (pending !== null && msg.id === pending) pending = null;
    reply(msg);
  });
  child.on('exit', () => {
    const lost = pending;
    pending = null;
    child = undefined;
    if (lost !== null) reply({ id: lost, ok: false, error: 'the expression used more than ' + maxMemoryMb + ' MiB of memory and was stopped' });
  });
}

port.on('message', (req) => {
  if (!child) start();
  pending = req.id;
  child.send(req);
});

start(() => {
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 1);
});
`;

/**
 * The evaluating child. It compiles each expression once with jqjs (pure JS, fast) and falls back to jq-web
 * (jq in WebAssembly, complete) when jqjs cannot parse, lacks a function, or fails. Results larger than
 * 8 MiB as JSON are refused rather than sent.
 */
export const CHILD_SOURCE = String.raw`
const { jqjsUrl, jqWebPath, cacheSize } = JSON.parse(process.env.YF_JQ);
const MAX_RESULT = 8 * 1024 * 1024;
const cache = new Map();
let jqjs, jqweb;

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

function send(msg) {
  if (msg.ok) {
    const text = JSON.stringify(msg.value === undefined ? null : msg.value);
    if (text.length > MAX_RESULT) return process.send({ id: msg.id, ok: false, error: 'the result is larger than 8 MiB' });
  }
  process.send(msg);
}

async function main() {
  jqjs = (await import(jqjsUrl)).default;
  jqweb = await require(jqWebPath);
  process.on('message', (req) => {
    const { id, expr, input, args, engine } = req;
    let first;
    if (engine !== 'jq') {
      try {
        const r = viaJqjs(expr, input, args);
        if (!r.unsupported) return send({ id, ok: true, value: r.value, engine: 'jqjs' });
      } catch (e) {
        first = e;
      }
      if (engine === 'jqjs') return send({ id, ok: false, error: first === undefined ? 'jqjs cannot compile this expression' : message(first) });
    }
    try {
      send({ id, ok: true, value: viaJqWeb(expr, input, args), engine: 'jq' });
    } catch (e) {
      send({ id, ok: false, error: message(e) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
main().catch(() => process.exit(1));
`;
