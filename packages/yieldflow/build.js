// Builds the package from the repository's sources: compiles src/ and the libraries it imports into dist/
// (the repository's layout under it), rewrites the @yieldflow/* aliases to relative paths, and copies
// what the code reads at run time (the Lua scripts, the DSL schema). `npm pack` runs it (prepack).
const { execFileSync } = require('node:child_process');
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const here = __dirname;
const root = join(here, '..', '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);

rmSync(join(here, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [bin('typescript', 'bin/tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
execFileSync(process.execPath, [bin('tsc-alias', 'dist/bin/index.js'), '-p', join(here, 'tsconfig.json')], {
  stdio: 'inherit',
});
for (const dir of ['libs/store/lua', 'libs/dsl/schema'])
  cpSync(join(root, dir), join(here, 'dist', dir), { recursive: true });
