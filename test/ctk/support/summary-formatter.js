/**
 * Progress output, cucumber's summary, then the scenarios counted by where they come from:
 *   CTK (no network)                 the spec's features that call no host,
 *   CTK (network, local stand-ins)   the spec's features that call petstore.swagger.io or httpbin.org,
 *                                    run against loopback stand-ins (the definition's host rewritten),
 *   Yieldflow (test/ctk/features)    our own scenarios.
 * Plain JavaScript so cucumber loads it however it loads formatters. Also writes the per-scenario result
 * to reports/ctk-results.json when CTK_RESULTS names a file.
 */
const { ProgressFormatter, Status } = require('@cucumber/cucumber');
const fs = require('node:fs');
const path = require('node:path');
const { CTK_NETWORK } = require('./hosts');

const GROUPS = ['CTK (no network)', 'CTK (network, local stand-ins)', 'Yieldflow (test/ctk/features)'];

class CtkSummaryFormatter extends ProgressFormatter {
  static documentation = 'Progress, then the CTK and our own scenarios counted apart';

  constructor(options) {
    super(options);
    options.eventBroadcaster.on('envelope', (envelope) => {
      if (envelope.testRunFinished) this.logGroups();
    });
  }

  groupOf(pickle) {
    const uri = pickle.uri.replace(/\\/g, '/');
    if (!uri.includes('serverless-workflow/ctk/features/')) return GROUPS[2];
    const network = pickle.steps.some((s) => s.argument?.docString && CTK_NETWORK.test(s.argument.docString.content));
    return network ? GROUPS[1] : GROUPS[0];
  }

  logGroups() {
    const counts = Object.fromEntries(GROUPS.map((g) => [g, { total: 0, passed: 0, failed: [] }]));
    const results = [];
    for (const attempt of this.eventDataCollector.getTestCaseAttempts()) {
      if (attempt.willBeRetried) continue;
      const group = this.groupOf(attempt.pickle);
      const status = attempt.worstTestStepResult.status;
      const c = counts[group];
      c.total++;
      if (status === Status.PASSED) c.passed++;
      else c.failed.push(`${path.basename(attempt.pickle.uri)}: ${attempt.pickle.name} (${status.toLowerCase()})`);
      results.push({
        group,
        feature: path.basename(attempt.pickle.uri),
        scenario: attempt.pickle.name,
        status: status.toLowerCase(),
      });
    }
    this.log('\n');
    for (const g of GROUPS) {
      const c = counts[g];
      if (c.total === 0) continue;
      this.log(`${g}: ${c.passed} passed, ${c.total - c.passed} failed (of ${c.total})\n`);
      for (const f of c.failed) this.log(`  not passed: ${f}\n`);
    }
    if (process.env.YF_CTK_ABSENT)
      this.log(`CTK: not run (no specification kit at ${process.env.YF_CTK_ABSENT}; set SW_SPEC_DIR)\n`);
    if (process.env.CTK_RESULTS) fs.writeFileSync(process.env.CTK_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
}

module.exports = CtkSummaryFormatter;
