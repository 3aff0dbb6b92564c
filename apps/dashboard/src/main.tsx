import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, auth, get, type Role, stream, unauthorized } from './api';
import { BatchesPage } from './batches';
import { DefinitionsPage } from './definitions';
import { OverviewPage } from './overview';
import { useRoute } from './route';
import { SchedulesPage } from './schedules';
import { TaskPage } from './task';
import { TasksPage } from './tasks';
import { changes, ErrorBox, Spinner } from './ui';
import './style.css';

interface Me {
  namespace: string;
  role: Role;
  auth: boolean;
}

type Theme = 'light' | 'dark' | 'auto';
function useTheme(): [Theme, () => void] {
  const [theme, set] = useState<Theme>((localStorage.getItem('yf.theme') as Theme | null) ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem('yf.theme', theme);
  }, [theme]);
  const dark = theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  return [theme, () => set(dark ? 'light' : 'dark')];
}

function SignIn({ onIn, error }: { onIn: (key: string) => void; error?: string }) {
  const [key, setKey] = useState('');
  return (
    <main class="signin">
      <form
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          onIn(key.trim());
        }}
      >
        <h1>Yieldflow</h1>
        <p class="muted">Sign in with an API key. It is kept for this browser tab only (session storage).</p>
        <label>
          API key
          <input
            name="key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            autoFocus
          />
        </label>
        {error && (
          <p class="inline-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

const TABS = [
  ['overview', 'Overview'],
  ['tasks', 'Tasks'],
  ['batches', 'Batches'],
  ['schedules', 'Schedules'],
  ['definitions', 'Definitions'],
] as const;

function App() {
  const [me, setMe] = useState<Me | null>();
  const [error, setError] = useState<ApiError>();
  const [signInError, setSignInError] = useState<string>();
  const [live, setLive] = useState(false);
  const [, toggle] = useTheme();
  const route = useRoute();

  const check = (): void => {
    const sent = auth.key;
    get<Me>('/v1/whoami').then(
      (m) => {
        setMe(m);
        setError(undefined);
      },
      (e: ApiError) => {
        if (e.status === 401) {
          // a key given meanwhile is not the one refused
          if (auth.key !== sent) return;
          if (sent) setSignInError(e.message);
          auth.set(null);
          setMe(null);
        } else setError(e);
      },
    );
  };
  useEffect(() => {
    check();
    const out = (): void => setMe(null);
    unauthorized.add(out);
    return () => unauthorized.delete(out);
  }, []);
  useEffect(() => {
    if (!me) return;
    return stream((kind, c) => changes.forEach((f) => f(kind, c)), setLive);
  }, [me]);

  if (me === undefined) return error ? <ErrorBox error={error} retry={check} /> : <Spinner label="Connecting" />;
  if (me === null)
    return (
      <SignIn
        error={signInError}
        onIn={(key) => {
          auth.set(key);
          setSignInError(undefined);
          check();
        }}
      />
    );
  const [tab = 'overview', ...rest] = route.path;
  let page;
  if (tab === 'tasks' && rest[0]) page = <TaskPage id={rest[0]} role={me.role} />;
  else if (tab === 'tasks') page = <TasksPage params={route.params} />;
  else if (tab === 'batches') page = <BatchesPage id={rest[0]} key={rest[0] ?? ''} />;
  else if (tab === 'schedules') page = <SchedulesPage role={me.role} open={route.params.id} />;
  else if (tab === 'definitions') page = <DefinitionsPage path={rest} />;
  else page = <OverviewPage />;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/overview">
          Yieldflow
        </a>
        <nav aria-label="Views">
          {TABS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={tab === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class={`live ${live ? 'on' : ''}`} role="status" title={live ? 'live updates on' : 'reconnecting'}>
          {live ? 'live' : 'offline'}
        </span>
        <span class="who muted">
          {me.namespace} · {me.role}
          {me.auth ? '' : ' · dev mode'}
        </span>
        <button type="button" class="ghost" onClick={toggle} aria-label="Toggle dark and light">
          ◐
        </button>
        {me.auth && (
          <button
            type="button"
            class="ghost"
            onClick={() => {
              auth.set(null);
              setMe(null);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
