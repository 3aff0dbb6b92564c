#!/usr/bin/env node
// `npm test`: every jest suite (unit and integration), then the Serverless Workflow CTK and our own
// scenarios through cucumber. Both always run; the exit code fails if either failed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
const extra = process.argv.slice(2);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', cwd: path.join(__dirname, '..') }).status ?? 1;

const jest = run(bin('jest'), ['--runInBand', ...extra]);
const cucumber = extra.length ? 0 : run(bin('cucumber-js'), []);
process.exit(jest || cucumber);
