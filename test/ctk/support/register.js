/**
 * Loads the TypeScript step definitions and the code they start (api, worker, libs) under cucumber-js,
 * with the same swc transform jest uses (jest.config.js), and resolves the `@yieldflow/*` paths of
 * tsconfig.json. @swc/core is already a devDependency, so no other loader is needed.
 */
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const libs = {
  runtime: 'libs/runtime/src',
  store: 'libs/store/src',
  dsl: 'libs/dsl/src',
  contracts: 'libs/contracts/src',
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@yieldflow\/(runtime|store|dsl|contracts)$/.exec(request);
  return resolve.call(this, m ? path.join(root, libs[m[1]]) : request, parent, ...rest);
};

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
