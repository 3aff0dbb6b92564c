/**
 * cucumber-js profiles (`npm run test:ctk`). `default` runs the Serverless Workflow CTK's features, read
 * unmodified from ../shared/serverless-workflow/ctk/features, and our own in test/ctk/features, through
 * the REST API of a stack started by test/ctk/support/world.ts. The summary formatter reports the CTK's
 * scenarios that need no network apart from those run against loopback stand-ins of the public hosts.
 */
const path = require('node:path');

const common = {
  requireModule: [path.join(__dirname, 'test/ctk/support/register.js')],
  require: ['test/ctk/support/**/*.ts', 'test/ctk/steps/**/*.ts'],
  format: ['./test/ctk/support/summary-formatter.js'],
  formatOptions: { snippetInterface: 'async-await' },
};

const CTK = '../shared/serverless-workflow/ctk/features/*.feature';
const OWN = 'test/ctk/features/*.feature';
module.exports = {
  default: { ...common, paths: [CTK, OWN] },
  ctk: { ...common, paths: [CTK] },
  own: { ...common, paths: [OWN] },
};
