/**
 * cucumber-js profiles (`npm run test:ctk`). `default` runs the Serverless Workflow CTK's features, read
 * unmodified from ../shared/serverless-workflow/ctk/features, and our own in test/ctk/features, through
 * the REST API of a stack started by test/ctk/support/world.ts. The summary formatter reports the CTK's
 * scenarios that need no network apart from those run against loopback stand-ins of the public hosts.
 */
const fs = require('node:fs');
const path = require('node:path');

const common = {
  requireModule: [path.join(__dirname, 'test/ctk/support/register.js')],
  require: ['test/ctk/support/**/*.ts', 'test/ctk/steps/**/*.ts'],
  format: ['./test/ctk/support/summary-formatter.js'],
  formatOptions: { snippetInterface: 'async-await' },
};

// the spec kit: SW_SPEC_DIR, or ../shared/serverless-workflow beside the checkout (as in libs/dsl/src/spec-kit.ts)
const KIT = process.env.SW_SPEC_DIR ?? path.join(__dirname, '..', 'shared', 'serverless-workflow');
const CTK_DIR = path.join(KIT, 'ctk', 'features');
const hasKit = fs.existsSync(CTK_DIR);
const CTK = path.relative(__dirname, path.join(CTK_DIR, '*.feature'));
const OWN = 'test/ctk/features/*.feature';
if (!hasKit) process.env.YF_CTK_ABSENT = CTK_DIR; // the summary formatter says the CTK was not run
module.exports = {
  default: { ...common, paths: hasKit ? [CTK, OWN] : [OWN] },
  ctk: { ...common, paths: hasKit ? [CTK] : [] },
  own: { ...common, paths: [OWN] },
};
