import type { Json } from './api';

type Obj = Record<string, Json>;
const isObj = (v: Json | undefined): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const KINDS = ['call', 'do', 'emit', 'for', 'fork', 'listen', 'raise', 'run', 'set', 'switch', 'try', 'wait'];

/** A DSL task list (`do: [{ name: task }, ...]`) as entries. */
const entries = (list: Json | undefined): [string, Obj][] =>
  Array.isArray(list)
    ? list.flatMap((item) => (isObj(item) ? Object.entries(item).filter((e): e is [string, Obj] => isObj(e[1])) : []))
    : [];

function detail(kind: string, t: Obj): string {
  const v = t[kind];
  if (kind === 'call') return String(v);
  if (kind === 'wait' && isObj(v))
    return Object.entries(v)
      .map(([k, n]) => `${n} ${k}`)
      .join(' ');
  if (kind === 'wait') return String(v);
  if (kind === 'listen' && isObj(v)) return 'events';
  if (kind === 'emit' && isObj(v) && isObj(v.event) && isObj(v.event.with)) return String(v.event.with.type ?? '');
  return '';
}

function Node({ name, task, ran }: { name: string; task: Obj; ran: Set<string> }) {
  const kind = KINDS.find((k) => k in task) ?? '?';
  const inner =
    kind === 'do' ? entries(task.do) : kind === 'for' ? entries(task.do) : kind === 'try' ? entries(task.try) : [];
  const branches = kind === 'fork' && isObj(task.fork) ? entries(task.fork.branches) : [];
  return (
    <li class={`node k-${kind}${ran.has(name) ? ' ran' : ''}`}>
      <div class="box">
        <span class="kind">{kind}</span> <strong>{name}</strong> <span class="muted">{detail(kind, task)}</span>
      </div>
      {inner.length > 0 && <FlowList list={inner} ran={ran} />}
      {branches.length > 0 && (
        <ul class="branches">
          {branches.map(([n, b]) => (
            <Node key={n} name={n} task={b} ran={ran} />
          ))}
        </ul>
      )}
    </li>
  );
}

const FlowList = ({ list, ran }: { list: [string, Obj][]; ran: Set<string> }) => (
  <ol class="flow">
    {list.map(([n, t]) => (
      <Node key={n} name={n} task={t} ran={ran} />
    ))}
  </ol>
);

/** A definition's `do` list drawn top to bottom: nested lists inside their task, a fork's branches side by side; tasks the trace shows ran are marked. */
export function Flow({ doc, ran = new Set() }: { doc: Json; ran?: Set<string> }) {
  const list = isObj(doc) ? entries(doc.do) : [];
  return list.length ? <FlowList list={list} ran={ran} /> : <p class="muted">No do list.</p>;
}
