/** What may import what (ARCHITECTURE.md), and no cycles. `npm run lint` checks it. */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'runtime-stands-alone',
      comment: 'The coroutine runtime knows nothing of Nest, Redis, BullMQ or the other libs',
      severity: 'error',
      from: { path: '^libs/runtime/' },
      to: { path: '^(libs/(store|dsl|contracts)|apps)/|node_modules/(@nestjs|ioredis|bullmq)' },
    },
    {
      name: 'dsl-on-runtime-only',
      severity: 'error',
      from: { path: '^libs/dsl/' },
      to: { path: '^(libs/(store|contracts)|apps)/|node_modules/(@nestjs|ioredis|bullmq)' },
    },
    {
      name: 'contracts-no-store',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs/(store|dsl)|apps)/|node_modules/(@nestjs|ioredis)' },
    },
    {
      name: 'client-on-contracts-types-only',
      comment: 'The REST client needs nothing but fetch: of ours, only the contracts (types)',
      severity: 'error',
      from: { path: '^libs/client/' },
      to: { path: '^(libs/(store|dsl|runtime)|apps)/|node_modules/' },
    },
    {
      name: 'client-types-only',
      severity: 'error',
      from: { path: '^libs/client/' },
      to: { path: '^libs/contracts/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'store-no-apps',
      severity: 'error',
      from: { path: '^libs/store/' },
      to: { path: '^(libs/dsl|apps)/|node_modules/@nestjs' },
    },
    { name: 'api-not-worker', severity: 'error', from: { path: '^apps/api/' }, to: { path: '^apps/worker/' } },
    {
      name: 'package-core-without-nest',
      comment:
        "The package's main entry runs without Nest (an optional peer dependency): only yieldflow/nest imports it",
      severity: 'error',
      from: { path: '^packages/yieldflow/src/(?!nest/)' },
      to: { path: 'node_modules/@nestjs|^packages/yieldflow/src/nest/|^apps/worker/src/(worker\\.module|main)' },
    },
    { name: 'package-not-api', severity: 'error', from: { path: '^packages/' }, to: { path: '^apps/api/' } },
    {
      name: 'dashboard-on-the-public-api-only',
      comment: 'The dashboard is a browser app: it talks to the REST API, and imports nothing of the server',
      severity: 'error',
      from: { path: '^apps/dashboard/' },
      to: { path: '^(libs|apps/(api|worker))/' },
    },
    { name: 'worker-not-api', severity: 'error', from: { path: '^apps/worker/' }, to: { path: '^apps/api/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.(spec|test)\\.ts$' },
  },
};
