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
 *
 * One child serves every namespace, so no evaluation may leave state behind for the next. jqjs walks paths
 * with plain property access (`.__proto__.x = 1` writes Object.prototype) and keeps `def`s in one global
 * table: once the libraries are loaded, every intrinsic reachable from the globals (prototypes,
 * constructors, their methods) and jqjs's own objects are frozen, as is each compiled filter, so such a
 * write throws and the expression goes to real jq, where `__proto__` is an ordinary key; a `def` goes to
 * real jq from the start. Variables live in objects without a prototype, so `$constructor` is unbound.
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

// constructs jqjs gets wrong (not merely lacks): sent to real jq. A 'def' would land in jqjs's global
// function table, seen by every later expression; the prototype names go too, so they are ordinary keys.
// jqjs's formats differ from jq's (@html escapes twice, @sh prints the type, @base64 encodes Latin-1), and
// its keys yields each key rather than one array. test/jq-differential.test.ts found the rest: slices drop
// their last element, '?' drops null outputs, '/' and '%' give null where jq fails (by zero) or answers
// (a negative divisor), del and delpaths leave nulls, computed object keys neither fail on a number nor
// multiply, range with a (negative) step, limit below zero, getpath with a negative index, from_entries with
// 'k' or 'name', round of -1.5, infinite and nan, sorting arrays of arrays, $__loc__ and $ENV.
const JQJS_WRONG = new RegExp(
  [
    '/', '%', '\\?', '\\[[^\\][{}"]*:', '[{,]\\s*\\([^()]*\\)\\s*:', 'range\\([^;()]*;[^;()]*;', '__proto__', '\\$__loc__', '\\$ENV\\b',
    '@(html|sh|uri|base64d?|base32d?|json|tsv)\\b',
    '\\b(def|constructor|prototype|keys|env|del|delpaths|getpath|from_entries|round|infinite|nan|limit)\\b',
    '\\b(sort|sort_by|group_by|unique|unique_by|min|max|min_by|max_by)\\b',
  ].join('|'),
);

const hardened = new WeakSet();
/** Object.freeze on everything reachable from the roots: own properties (values, getters, setters) and prototypes. */
function harden(roots) {
  const stack = [...roots];
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || hardened.has(o)) continue;
    hardened.add(o);
    Object.freeze(o);
    stack.push(Object.getPrototypeOf(o));
    for (const d of Object.values(Object.getOwnPropertyDescriptors(o))) {
      if ('value' in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
  }
}

const INTRINSICS = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'RegExp', 'Date', 'Map', 'Set',
  'WeakMap', 'WeakSet', 'WeakRef', 'Promise', 'Proxy', 'Reflect', 'Math', 'JSON', 'Atomics', 'Intl', 'ArrayBuffer',
  'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Error',
  'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'escape', 'unescape', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'parseInt', 'parseFloat', 'isNaN', 'isFinite',
];

function lockDown(extra) {
  const roots = INTRINSICS.map((n) => globalThis[n]).filter((v) => v !== undefined);
  // reachable only through instances: iterators, generators, async functions
  roots.push(Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(async function* () {}));
  roots.push(Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(new Map()[Symbol.iterator]()), Object.getPrototypeOf(new Set()[Symbol.iterator]()));
  roots.push(Object.getPrototypeOf(''[Symbol.iterator]()), Object.getPrototypeOf('a'.matchAll(/a/g)));
  harden(roots.concat(extra));
}

const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;
const verdicts = new Map();
/**
 * Why real jq cannot compile expr, or null; once per distinct expression (bounded like the compiled cache).
 * jqjs compiles some broken expressions ('.qty *' gives nothing), so no engine's answer is trusted before
 * this. The expression is compiled, never run (the untaken branch of 'if false'), every '$name' bound.
 */
function jqRejects(expr) {
  const known = verdicts.get(expr);
  if (known !== undefined) return known;
  const vars = [...new Set([...expr.matchAll(VARIABLE)].map((m) => m[1]))].filter((v) => v !== '__loc__' && v !== 'ENV' && v !== '__prog_args');
  const program = vars.map((v) => 'null as $' + v + ' | ').join('') + 'if false then (' + expr + '\n) else null end';
  let verdict = null;
  try {
    jqweb.raw('null', program, ['-c']);
  } catch (e) {
    const text = String((e && (e.stderr || e.message)) || e);
    const lines = text.split('\n').filter((l) => l.startsWith('jq: error'));
    verdict = lines.length
      ? lines.map((l) => l.replace(/^jq: error(: )?/, '').replace(/ \(Unix shell quoting issues\?\)/, '').replace(/ at <top-level>, line \d+:$/, '')).join('; ')
      : 'jq cannot compile it';
  }
  if (verdicts.size >= cacheSize) verdicts.clear();
  verdicts.set(expr, verdict);
  return verdict;
}

function viaJqjs(expr, input, args) {
  if (JQJS_WRONG.test(expr)) return { unsupported: true };
  let f = cache.get(expr);
  if (f === undefined) {
    try {
      f = jqjs.compile(expr);
      harden([f]);
    } catch (e) {
      f = null;
    }
    if (cache.size >= cacheSize) cache.clear();
    cache.set(expr, f);
  }
  if (f === null) return { unsupported: true };
  const out = [];
  for (const v of f.filter.node.apply(input, { userFuncArgs: Object.create(null), variables: Object.assign(Object.create(null), args) })) {
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
  const jqjsModule = await import(jqjsUrl);
  jqjs = jqjsModule.default;
  jqweb = await require(jqWebPath);
  lockDown([jqjs, jqjsModule.formats]);
  process.on('message', (req) => {
    const { id, expr, input, args, engine } = req;
    const rejected = jqRejects(expr);
    if (rejected !== null) return send({ id, ok: false, error: 'the expression does not compile in jq: ' + rejected });
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
