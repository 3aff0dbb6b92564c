#!/usr/bin/env node
// `npm run keys -- create --namespace acme --role submitter --name ci` | `list [--namespace acme]` | `revoke <id>`:
// manage API keys in Redis directly (REDIS_URL, YF_PREFIX), with the store the api uses.
import { loadRedisTarget } from '@yieldflow/contracts';
import { connectRedis, TaskStore } from '@yieldflow/store';
import { KeyStore, NAMESPACE_PATTERN } from './key-store';
import { isRole, ROLES } from './roles';

const USAGE = [
  'usage: npm run keys -- create --namespace <ns> --role <viewer|submitter|operator|admin> --name <name>',
  '       npm run keys -- list [--namespace <ns>]',
  '       npm run keys -- revoke <key id>',
  'Redis from REDIS_URL (default redis://127.0.0.1:6379) or REDIS_CLUSTER_NODES, key prefix from YF_PREFIX (default yf).',
].join('\n');

function flags(args: string[]): { positional: string[]; named: Record<string, string> } {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      named[k] = v ?? args[++i] ?? '';
    } else positional.push(a);
  }
  return { positional, named };
}

/** Run one command; returns the exit code. `out` gets what is printed. */
export async function runKeysCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, named } = flags(rest);
  const prefix = env.YF_PREFIX ?? 'yf';
  const fail = (msg: string): number => {
    out(`error: ${msg}\n${USAGE}`);
    return 2;
  };
  if (command !== 'create' && command !== 'list' && command !== 'revoke')
    return fail(command ? `unknown command '${command}'` : 'a command is required');
  if (command === 'create') {
    if (!named.namespace || !NAMESPACE_PATTERN.test(named.namespace))
      return fail('--namespace must be 1-63 lowercase letters, digits, - or _');
    if (!isRole(named.role)) return fail(`--role must be one of ${ROLES.join(', ')}`);
    if (!named.name) return fail('--name is required');
  }
  if (command === 'revoke' && !positional[0]) return fail('revoke needs the key id');
  const redis = connectRedis(loadRedisTarget(env), { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const keys = new KeyStore(new TaskStore(redis, { prefix }));
    if (command === 'create') {
      const key = await keys.create(named.namespace, named.role as never, named.name);
      out(JSON.stringify(key, null, 2));
      out('The token is shown this once: keep it now.');
      return 0;
    }
    if (command === 'list') {
      out(JSON.stringify(await keys.list(named.namespace || undefined), null, 2));
      return 0;
    }
    const revoked = await keys.revoke(positional[0]);
    out(revoked ? `revoked ${positional[0]}` : `no key ${positional[0]}`);
    return revoked ? 0 : 1;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  runKeysCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`keys: ${err.message}`);
      process.exit(1);
    },
  );
}
