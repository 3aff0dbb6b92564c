import { useEffect, useState } from 'preact/hooks';

export interface Route {
  path: string[];
  params: Record<string, string>;
}

/** Routes are in the hash (#/tasks/<id>?a=b): the api serves one page, and a reload keeps the view. */
export function parse(hash = location.hash): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [p, q = ''] = raw.split('?');
  return {
    path: p.split('/').filter(Boolean).map(decodeURIComponent),
    params: Object.fromEntries(new URLSearchParams(q)),
  };
}

export const navigate = (to: string): void => {
  location.hash = `#${to}`;
};

export function useRoute(): Route {
  const [r, set] = useState(parse());
  useEffect(() => {
    const on = (): void => set(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}
