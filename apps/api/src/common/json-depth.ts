import { keepAsSent, type SentRequest } from './as-sent';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Whether JSON text nests more than `max` levels of objects and arrays, from its bytes and before anything
 * parses it (nothing recursive ever sees a deeper body). Brackets inside strings are text. Malformed JSON
 * is left to the parser. UTF-8 continuation bytes never equal the ASCII bytes looked at.
 */
export function nestedDeeperThan(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * The JSON body parser's `verify`: refuses JSON nested deeper than `max` (400 naming LIMIT_JSON_DEPTH), then
 * keeps an untouched parse of a body that may hold prototype-named keys (see as-sent.ts).
 */
export const jsonVerifier =
  (max: number) =>
  (req: SentRequest, _res: unknown, buf: Buffer): void => {
    if (nestedDeeperThan(buf, max)) {
      throw Object.assign(new Error(`the body is nested more than ${max} levels deep (LIMIT_JSON_DEPTH)`), {
        status: 400,
        type: 'entity.too.deep',
      });
    }
    keepAsSent(req, buf);
  };
