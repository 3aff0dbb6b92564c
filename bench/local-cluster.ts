import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  process: ChildProcess;
}

/**
 * A Redis Cluster on loopback (for test/cluster and the bench's --cluster): masters with replicas, no
 * persistence, a short node timeout so a failover takes a few seconds. `stop()` kills every node and
 * removes the directory, whatever state the cluster is in.
 */
export class LocalCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'yf-cluster-'));

  constructor(private readonly nodeTimeoutMs = 2000) {}

  /** host:port of every node, as REDIS_CLUSTER_NODES takes them. */
  get addresses(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  async start(masters = 3, replicas = 1): Promise<void> {
    const ports = await freePorts(masters * (1 + replicas));
    for (const port of ports) {
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.dir, `nodes-${port}.conf`),
      ];
      args.push(
        '--cluster-node-timeout',
        String(this.nodeTimeoutMs),
        '--cluster-require-full-coverage',
        'no',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
      );
      this.nodes.push({ port, process: spawn('redis-server', args, { stdio: 'ignore' }) });
    }
    for (const n of this.nodes)
      await until(async () => (await cli(n.port, 'ping')) === 'PONG', 10_000, `redis-server on ${n.port}`);
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await this.untilHealthy(masters, masters * replicas);
  }

  /** Every live node says cluster_state:ok, `masters` masters cover the slots, `replicas` replicas are synced. */
  async untilHealthy(masters: number, replicas = masters, timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        for (const n of this.live())
          if (!(await cli(n.port, 'cluster', 'info')).includes('cluster_state:ok')) return false;
        const roles = await this.roles();
        const synced = [...roles].filter(([, r]) => r.role === 'slave').map(([port]) => port);
        if (
          [...roles.values()].filter((r) => r.role === 'master' && r.slots).length !== masters ||
          synced.length < replicas
        )
          return false;
        for (const port of synced)
          if (!(await cli(port, 'info', 'replication')).includes('master_link_status:up')) return false;
        return true;
      },
      timeoutMs,
      'the cluster to be healthy',
    );
  }

  /** Each live node's role as the cluster sees it (from a live node's CLUSTER NODES). */
  async roles(): Promise<Map<number, { role: 'master' | 'slave'; slots: boolean; id: string; master: string }>> {
    const out = new Map<number, { role: 'master' | 'slave'; slots: boolean; id: string; master: string }>();
    const text = await cli(this.live()[0].port, 'cluster', 'nodes');
    for (const line of text.trim().split('\n')) {
      const [id, addr, flags, master, , , , , ...slots] = line.split(' ');
      if (flags.includes('fail') || flags.includes('noaddr')) continue;
      const port = Number(addr.split('@')[0].split(':')[1]);
      out.set(port, { role: flags.includes('master') ? 'master' : 'slave', slots: slots.length > 0, id, master });
    }
    return out;
  }

  /** The port of a master that holds slots, and of its replica. */
  async masterWithReplica(): Promise<{ master: number; replica: number }> {
    const roles = await this.roles();
    for (const [port, r] of roles) {
      if (r.role !== 'master' || !r.slots) continue;
      const replica = [...roles].find(([, x]) => x.role === 'slave' && x.master === r.id);
      if (replica) return { master: port, replica: replica[0] };
    }
    throw new Error('no master with a replica');
  }

  kill(port: number): void {
    const n = this.nodes.find((x) => x.port === port)!;
    n.process.kill('SIGKILL');
  }

  live(): ClusterNode[] {
    return this.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.process.exitCode !== null || n.process.signalCode !== null) return resolve();
            n.process.once('exit', () => resolve());
            n.process.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function cli(port: number, ...args: string[]): Promise<string> {
  try {
    return (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5000 })).stdout.trim();
  } catch {
    return '';
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** `n` ports whose cluster bus ports (port + 10000) are free too. */
async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let port = 20000 + Math.floor(Math.random() * 20000); out.length < n && port < 55000; port++) {
    if ((await portFree(port)) && (await portFree(port + 10000))) out.push(port);
  }
  return out;
}
