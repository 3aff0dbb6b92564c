import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = join(__dirname, '..', '..');

/** The package tarball, packed once per process (`npm pack` builds it: its prepack). */
let packed: Promise<string> | null = null;
export function packPackage(): Promise<string> {
  packed ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yf-pack-'));
    await run('npm', ['pack', '--pack-destination', dir], {
      cwd: join(root, 'packages', 'yieldflow'),
      timeout: 180_000,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!file) throw new Error(`npm pack left no tarball in ${dir}`);
    return join(dir, file);
  })();
  return packed;
}

/**
 * `npm install` in `dir`: from the npm cache alone when it holds everything (a CI cache after the root's
 * `npm ci` does), else from the registry. Answers which way it went.
 */
export async function npmInstall(dir: string, args: string[]): Promise<'offline' | 'registry'> {
  const flags = ['install', '--no-audit', '--no-fund', '--loglevel=error'];
  try {
    await run('npm', [...flags, '--offline', ...args], { cwd: dir, timeout: 120_000 });
    return 'offline';
  } catch {
    await run('npm', [...flags, '--prefer-offline', ...args], { cwd: dir, timeout: 180_000 });
    return 'registry';
  }
}

/** An empty directory with a package.json, to install into. */
export function emptyApp(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `yf-${name}-`));
  mkdirSync(join(dir, 'src'));
  return dir;
}

/** The repository's TypeScript compiler, run on a tsconfig in `dir`; resolves with its output, rejects on errors. */
export async function tsc(dir: string, project = 'tsconfig.json'): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
    { cwd: dir, timeout: 120_000 },
  );
  return stdout;
}

/**
 * The packages a compiled CommonJS module tree loads, walking every `require` from `entries` through the
 * relative ones: what an installed package needs at run time (files no entry reaches are not counted).
 */
export function requiredPackages(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)) {
      if (spec.startsWith('.')) pending.push(require.resolve(resolve(dirname(file), spec)));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec))
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return packages;
}
