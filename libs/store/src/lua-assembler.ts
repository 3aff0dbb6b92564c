import { F, J, K, OP, OP_KINDS, READS, RECORDS } from './wire';

/**
 * Builds a script's text from its source: `--- @include "name"` lines are replaced by the part of that name
 * (each part once per script, parts may include parts), and the wire names (wire.ts) by their literals:
 *   F.<name>        a task hash field            'st'
 *   OP.<name>       a write-back op field        'o'   (op[OP.kind])
 *   OK.<name>       a write-back op kind         's'
 *   J.<name>        a journal entry field        'k'
 *   K.<name>        a shared constant            'https://…/errors/timeout'
 *   H.<layout>      an HMGET layout's fields     'st', 'kind', …
 *   H.<layout>.<n>  a field's index in its reply  1
 *   R.<rec>.<n>     a value's position in a returned record
 *   H.<l>.size, R.<rec>.size  a layout's length
 * Literals cost nothing at run time and use no local (Lua allows 200 per function); a name that is not in
 * wire.ts, or a part that does not exist, is an error here, when the script is loaded.
 */
export function assemble(name: string, source: string, part: (name: string) => string | undefined): string {
  const included = new Set<string>();
  const expand = (text: string, from: string): string =>
    text.replace(/^--- @include "([^"]+)"[ \t]*$/gm, (_, inc: string) => {
      if (included.has(inc)) return `-- (${inc}: included above)`;
      const body = part(inc);
      if (body === undefined) throw new Error(`${from}: no Lua part named '${inc}'`);
      included.add(inc);
      return expand(body.replace(/\n$/, ''), `${from} > ${inc}`);
    });
  const lua = expand(source, name);
  return lua.replace(
    /\b(F|OP|OK|J|K|H|R)\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/g,
    (whole, ns: string, a: string, b: string | undefined) => {
      const fail = (): never => {
        throw new Error(`${name}: '${whole}' is not in the wire format (libs/store/src/wire.ts)`);
      };
      const lit = (v: string | undefined) => (v === undefined ? fail() : `'${v}'`);
      const own = <T extends object>(o: T, k: string) => (Object.hasOwn(o, k) ? o[k as keyof T] : undefined);
      if (ns === 'H' || ns === 'R') {
        const layout = own(ns === 'H' ? READS : RECORDS, a) as readonly string[] | undefined;
        if (!layout) return fail();
        if (b === undefined) {
          if (ns === 'R') return fail();
          return layout.map((n) => lit(own(F, n) as string | undefined)).join(', ');
        }
        if (b === 'size') return String(layout.length);
        const at = layout.indexOf(b);
        return at < 0 ? fail() : String(at + 1);
      }
      const table = { F, OP, OK: OP_KINDS, J, K }[ns as 'F' | 'OP' | 'OK' | 'J' | 'K'];
      const value = lit(own(table, a) as string | undefined);
      // a third part belongs to the code after the literal (e.g. a method call): not ours
      return b === undefined ? value : fail();
    },
  );
}
