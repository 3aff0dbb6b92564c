/**
 * What one jq evaluation costs on each path the DSL uses: a plain path inline, jqjs in the bounded child
 * process (with the IPC hop), and real jq (jq-web) there.
 *
 *   node dist/bench/expressions.js [--n 2000]
 */
import { JqEvaluator } from '@yieldflow/dsl';

function perCall(n: number, run: (i: number) => void): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run(i);
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

function main(): void {
  const at = process.argv.indexOf('--n');
  const n = at > 0 ? Number(process.argv[at + 1]) : 2000;
  const auto = new JqEvaluator();
  const jq = new JqEvaluator({ engine: 'jq' });
  auto.evaluate('.a + .b', { a: 0, b: 1 }, {}); // start the child processes and compile once
  jq.evaluate('.a + .b', { a: 0, b: 1 }, {});
  const rows: [string, number][] = [
    ['plain path, inline (.a.b)', perCall(n, (i) => auto.evaluate('.a.b', { a: { b: i } }, {}))],
    ['jqjs in the child process (.a + .b)', perCall(n, (i) => auto.evaluate('.a + .b', { a: i, b: 1 }, {}))],
    [
      'jq-web in the child process (.a + .b)',
      perCall(Math.max(1, Math.floor(n / 10)), (i) => jq.evaluate('.a + .b', { a: i, b: 1 }, {})),
    ],
  ];
  auto.close();
  jq.close();
  console.log('| path | µs per evaluation |\n|---|--:|');
  for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(us < 10 ? 2 : 0)} |`);
}

main();
