import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the tests find the Serverless Workflow specification kit (its examples, invalid examples and
 * CTK features): SW_SPEC_DIR, or `../shared/serverless-workflow` beside the checkout. A clone without it
 * runs every other test; the suites that read the kit are reported as not run.
 */
export const SPEC_DIR =
  process.env.SW_SPEC_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'serverless-workflow');

export const hasSpecKit = existsSync(join(SPEC_DIR, 'examples'));
