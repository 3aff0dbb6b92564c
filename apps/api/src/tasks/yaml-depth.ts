import { Lexer } from 'yaml';

/**
 * Whether YAML text nests flow collections ([ and {) more than `max` levels deep, judged by the yaml
 * package's own lexer (iterative: quotes, escapes and comments as the parser sees them) before anything
 * parses it. The parser recurses per level: 5,000 brackets (10 KB) exhaust its heap.
 */
export function yamlFlowDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > max) return true;
    } else if (token === ']' || token === '}') depth--;
  }
  return false;
}
