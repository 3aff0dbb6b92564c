// Copies what the build needs besides compiled code (Lua scripts, the DSL schema) next to it in dist/.
const { cpSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const dir of ['libs/store/lua', 'libs/dsl/schema']) {
  const from = join(root, dir);
  if (existsSync(from)) cpSync(from, join(root, 'dist', dir), { recursive: true });
}
