import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Change, type Json } from './api';

/** Change events from the stream, shared by every view (main.tsx feeds them). */
export const changes = new Set<(kind: string, c: Change[]) => void>();

/** Run `fn` when the stream reports a change that `matters` (at most once a `gapMs`, the last one always). */
export function useChanges(
  fn: () => void,
  matters: (kind: string, c: Change[]) => boolean = () => true,
  gapMs = 700,
): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    let timer = 0;
    let last = 0;
    const on = (kind: string, c: Change[]): void => {
      if (kind !== 'reset' && !matters(kind, c)) return;
      if (timer) return;
      const wait = Math.max(0, last + gapMs - Date.now());
      timer = window.setTimeout(() => {
        timer = 0;
        last = Date.now();
        ref.current();
      }, wait);
    };
    changes.add(on);
    return () => {
      changes.delete(on);
      window.clearTimeout(timer);
    };
  }, []);
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** Load from the api; `reload` keeps the old data shown while the new one comes (no flicker on live updates). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, set] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    set((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === seq.current && set({ data, loading: false }),
      (error: unknown) =>
        n === seq.current &&
        set((s) => ({
          data: s.data,
          error: error instanceof ApiError ? error : new ApiError(0, String(error)),
          loading: false,
        })),
    );
  }, deps);
  useEffect(() => {
    set({ loading: true });
    run();
  }, [run]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}

export function useInterval(fn: () => void, everyMs: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const t = window.setInterval(() => ref.current(), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
}

export const Spinner = ({ label = 'Loading' }: { label?: string }) => (
  <div class="state loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true" />
    {label}…
  </div>
);

export function ErrorBox({ error, retry }: { error: ApiError; retry?: () => void }) {
  const hint =
    error.status === 403
      ? 'Your key’s role or namespace does not allow this.'
      : error.status === 404
        ? 'It does not exist, or belongs to another namespace.'
        : error.status === 0
          ? 'Check that the api is running.'
          : '';
  return (
    <div class="state error" role="alert">
      <strong>{error.status ? `Error ${error.status}` : 'Cannot reach the api'}</strong>
      <p>{error.message}</p>
      {hint && <p class="muted">{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export const Empty = ({ title, children }: { title: string; children?: ComponentChildren }) => (
  <div class="state empty">
    <strong>{title}</strong>
    {children && <p class="muted">{children}</p>}
  </div>
);

/** The view of a load: spinner first, the error if there is no data, else the content (an error over stale data shows above it). */
export function View<T>({ l, children }: { l: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (l.data === undefined) return l.error ? <ErrorBox error={l.error} retry={l.reload} /> : <Spinner />;
  return (
    <>
      {l.error && <ErrorBox error={l.error} retry={l.reload} />}
      {children(l.data)}
    </>
  );
}

export const Badge = ({ status }: { status: string }) => <span class={`badge s-${status}`}>{status}</span>;

export function JsonView({ value, label }: { value: Json | undefined; label: string }) {
  if (value === undefined) return null;
  return (
    <div class="json">
      <h4>{label}</h4>
      <pre tabIndex={0} aria-label={label}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}

export const Card = ({
  title,
  children,
  class: cls = '',
}: {
  title: string;
  children: ComponentChildren;
  class?: string;
}) => (
  <section class={`card ${cls}`} aria-label={title}>
    <h3>{title}</h3>
    {children}
  </section>
);

/** A button that runs an async action, shows it running, and reports its error next to it. */
export function Action({
  label,
  run,
  danger,
  onDone,
}: {
  label: string;
  run: () => Promise<unknown>;
  danger?: boolean;
  onDone?: (r: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string>();
  return (
    <span class="action">
      <button
        type="button"
        class={danger ? 'danger' : ''}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setErr(undefined);
          run().then(
            (r) => {
              setBusy(false);
              onDone?.(r);
            },
            (e: Error) => {
              setBusy(false);
              setErr(e.message);
            },
          );
        }}
      >
        {busy ? `${label}…` : label}
      </button>
      {err && (
        <span class="inline-error" role="alert">
          {err}
        </span>
      )}
    </span>
  );
}
