import { exitOnSignals, loadConfig } from '@yieldflow/contracts';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  exitOnSignals(() => app.close());
}

main().catch((err: Error) => {
  console.error(`yieldflow api: ${err.message}`);
  process.exit(1);
});
