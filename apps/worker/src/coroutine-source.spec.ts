import Redis from 'ioredis';
import { CoroutineRegistry, Execution } from '@yieldflow/runtime';
import { TaskStore, type ClaimedTask } from '@yieldflow/store';
import { dropPrefix, testConfig } from '../../../test/support/redis';
import { CoroutineSource } from './coroutine-source';

const definition = {
  document: { dsl: '1.0.3', namespace: 'x', name: 'reads-secret', version: '1.0.0' },
  use: { secrets: ['apiKey'] },
  do: [{ s: { set: { key: '${ $secrets.apiKey }', names: '${ $secrets | keys }' } } }],
};

const task = (namespace: string, definitionHash = 'h1'): ClaimedTask => ({
  id: `t-${namespace}`,
  kind: 'definition',
  name: '',
  definitionHash,
  input: null,
  seq: 0,
  waitKind: '',
  wait: '',
  resolution: { type: 'start' },
  dueAt: null,
  suspendedAt: 0,
  startedAt: 1,
  createdAt: 0,
  namespace,
});

describe('CoroutineSource', () => {
  const config = testConfig();
  const redis = new Redis(config.redisUrl);
  const store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
  beforeAll(() => store.putDefinition('h1', JSON.stringify(definition)));
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const output = (source: CoroutineSource, t: ClaimedTask) => {
    const outcome = Execution.start(source.get(t), null, t.id, 0).outcome;
    return outcome.type === 'complete' ? outcome.output : outcome;
  };

  it("compiles a definition once per namespace, with that namespace's declared secrets only", async () => {
    const source = new CoroutineSource(
      new CoroutineRegistry(),
      store,
      { a: { apiKey: 'key-a', other: 'o' }, b: { apiKey: 'key-b' } },
      2,
    );
    await source.prepare([task('a'), task('b'), task('c')]);
    expect(output(source, task('a'))).toEqual({ key: 'key-a', names: ['apiKey'] });
    expect(output(source, task('b'))).toEqual({ key: 'key-b', names: ['apiKey'] });
    expect(output(source, task('c'))).toEqual({ key: null, names: [] });
    expect(source.get(task('c'))).toBe(source.get(task('c')));
    // the cache holds two pairs: 'a' was dropped and is compiled again, from the definition already loaded
    expect(output(source, task('a'))).toEqual({ key: 'key-a', names: ['apiKey'] });
  });

  it('a definition that was not prepared or is not stored faults its task', async () => {
    const source = new CoroutineSource(new CoroutineRegistry(), store, {});
    expect(output(source, task('a', 'h1'))).toMatchObject({ type: 'fault' });
    await source.prepare([task('a', 'missing')]);
    expect(JSON.stringify(output(source, task('a', 'missing')))).toContain('is not stored');
  });
});
