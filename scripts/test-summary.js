// Reads a test log and prints one line "N passed, N failed" summed from the runners' own summary lines:
// jest's "Tests: ... X failed, Y skipped, Y passed" and cucumber's "N scenarios (X failed, Y passed)". Tests
// that did not run (the specification kit is absent: see libs/dsl/src/spec-kit.ts) are counted as skipped
// and said so, never as passed.
const { readFileSync } = require('node:fs');

const text = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
let seen = false;
const notRun = [];
const count = (line, word) => Number((new RegExp(`(\\d+) ${word}`).exec(line) ?? [0, 0])[1]);
for (const line of text.split('\n')) {
  if (/^Tests:\s/.test(line) || /^\d+ scenarios? \(/.test(line)) {
    seen = true;
    passed += count(line, 'passed');
    failed += count(line, 'failed') + count(line, 'undefined') + count(line, 'ambiguous');
    skipped += count(line, 'skipped') + count(line, 'pending') + count(line, 'todo');
  }
  if (/^CTK: not run/.test(line)) notRun.push(line);
}
if (skipped > 0)
  notRun.unshift(
    `${skipped} tests skipped, not run (the suites that read the specification kit skip when SW_SPEC_DIR finds none)`,
  );
for (const line of notRun) console.log(line);
if (!seen) failed += 1; // no runner summary at all: the run broke before reporting
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
