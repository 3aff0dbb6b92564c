import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every Redis key is built in libs/store/src/keys.ts and touched only by the store's classes: the apps
 * use those classes and never build a key, reach a store's connection, or import the store's internals.
 */
const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return /\.ts$/.test(e.name) && !/\.(spec|test)\.ts$/.test(e.name) ? [path] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bnew Keys\(/, 'builds a Keys'],
  [/\bKeys\b.*from '@yieldflow\/store'/, 'imports Keys'],
  [/store\/src\/(internal|testing)/, "imports the store's internals"],
  [/\bstore_?\.(redis|keys)\b/, "reaches a store's connection or keys"],
  [/\.keys\.(task|partition|stats|workers|jobQueues|wakeChannel|notifyChannel|prefix)\b/, 'reads a key from Keys'],
  [/\$\{[^}]*prefix[^}]*\}:[a-z{]/i, 'builds a key from the prefix'],
  [/['`]:(?:stats|workers|jobqueues|wake|notify|changes|evstarts|defs|gw|keys|rl|meta|coroutines)\b/, 'names a key'],
  [/:\{p|\}:(?:t|j|i|r|ch|own|due|act|cnt|st|ob|exp)\b/, "names a partition's key"],
];

describe('the keyspace guard', () => {
  const files = ['apps/api/src', 'apps/worker/src'].flatMap((d) => sources(join(ROOT, d)));

  it('scans the apps', () => expect(files.length).toBeGreaterThan(20));

  it('finds no key built, and no store connection reached, in the apps', () => {
    const found: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, what] of FORBIDDEN)
            if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1} ${what}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
