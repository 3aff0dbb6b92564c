import type { Json } from '@yieldflow/runtime';

/**
 * RFC 6570 expansion as the DSL uses it: simple string expansion `{var}` (and `{var1,var2}`), plus the
 * reserved `{+var}` form. Variables come from the task input's top level; undefined ones expand to ''.
 */
export function expandUriTemplate(template: string, vars: Json): string {
  const scope = vars !== null && typeof vars === 'object' && !Array.isArray(vars) ? vars : {};
  return template.replace(/\{([+]?)([^{}]+)\}/g, (_m, op: string, names: string) =>
    names
      .split(',')
      .map((raw) => {
        const name = raw.trim().replace(/\*$/, '').replace(/:\d+$/, '');
        const v = Object.prototype.hasOwnProperty.call(scope, name) ? (scope as Record<string, Json>)[name] : null;
        if (v === null || v === undefined) return undefined;
        const text =
          typeof v === 'string'
            ? v
            : Array.isArray(v)
              ? v.map(String).join(',')
              : typeof v === 'object'
                ? JSON.stringify(v)
                : String(v);
        return op === '+' ? encodeURI(text) : encodeURIComponent(text);
      })
      .filter((s) => s !== undefined)
      .join(','),
  );
}
