import { ERROR_TYPES } from '@yieldflow/runtime';
import { load, outputOf, runWith } from '../testing';

const wf = (listen: string) =>
  `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: l\n  version: '1.0.0'\ndo:\n  - wait4:\n${listen}`;
const ev = (type: string, data: unknown = null, extra: Record<string, unknown> = {}) =>
  ({ id: `${type}-${JSON.stringify(data)}`, type, source: 'https://src', data: data as never, ...extra }) as never;

describe('listen', () => {
  it('to.one waits for one matching event and outputs its data in an array', () => {
    const r = runWith(
      load(
        wf(
          `      listen:\n        to:\n          one:\n            with:\n              type: a.b\n              source: https://src`,
        ),
      ),
      {},
      { events: [ev('a.b', { n: 1 })] },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: [{ n: 1 }] });
    expect(r.effects[0]).toEqual({ kind: 'waitForEvent', type: 'a.b' });
  });

  it('waits again on a mismatch (source, data expression, data field)', () => {
    const def = wf(
      `      listen:\n        to:\n          one:\n            with:\n              type: vitals\n              source: https://src\n              data: \${ .temperature > 38 }`,
    );
    const r = runWith(
      load(def),
      {},
      {
        events: [
          ev('vitals', { temperature: 37 }),
          ev('vitals', { temperature: 39 }, { source: 'https://other' }),
          ev('vitals', { temperature: 40 }),
        ],
      },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: [{ temperature: 40 }] });
    expect(r.effects.filter((e) => e.kind === 'waitForEvent')).toHaveLength(3);
    const fields = wf(
      `      listen:\n        to:\n          one:\n            with:\n              type: vitals\n              data:\n                room: 12\n                temperature: \${ . > 38 }`,
    );
    expect(
      runWith(
        load(fields),
        {},
        { events: [ev('vitals', { room: 11, temperature: 40 }), ev('vitals', { room: 12, temperature: 41 })] },
      ).outcome,
    ).toEqual({ type: 'complete', output: [{ room: 12, temperature: 41 }] });
  });

  it('to.any: the first event matching any filter; an empty any takes any event', () => {
    const def = wf(
      `      listen:\n        to:\n          any:\n            - with:\n                type: t.one\n            - with:\n                type: t.two`,
    );
    const r = runWith(load(def), {}, { events: [ev('t.zero'), ev('t.two', 2)] });
    expect(r.outcome).toEqual({ type: 'complete', output: [2] });
    expect(r.effects[0]).toEqual({ kind: 'waitForEvent', type: ['t.one', 't.two'] });
    const anyEvent = runWith(
      load(wf(`      listen:\n        to:\n          any: []`)),
      {},
      { events: [ev('whatever', 'w')] },
    );
    expect(anyEvent.outcome).toEqual({ type: 'complete', output: ['w'] });
    expect(anyEvent.effects[0]).toEqual({ kind: 'waitForEvent', type: '*' });
  });

  it('to.any with an until expression (bare) over the consumed events', () => {
    const def = wf(`      listen:\n        to:\n          any: []\n          until: ( . | length ) > 2`);
    const r = runWith(load(def), {}, { events: [1, 2, 3, 4].map((n) => ev('t', n)) });
    expect(r.outcome).toEqual({ type: 'complete', output: [1, 2, 3] });
  });

  it('to.any until another event is consumed (which is not part of the output)', () => {
    const def = wf(
      `      listen:\n        to:\n          any:\n            - with:\n                type: reading\n          until:\n            one:\n              with:\n                type: checked-out`,
    );
    const r = runWith(
      load(def),
      {},
      { events: [ev('reading', 1), ev('reading', 2), ev('checked-out', 'bye'), ev('reading', 3)] },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: [1, 2] });
  });

  it('to.all collects one event per filter, in arrival order, read as envelopes', () => {
    const def = wf(
      `      listen:\n        to:\n          all:\n            - with:\n                type: temp\n            - with:\n                type: bpm\n        read: envelope`,
    );
    const r = runWith(load(def), {}, { events: [ev('bpm', 120), ev('bpm', 130), ev('temp', 39)] });
    expect(r.outcome.type).toBe('complete');
    expect(outputOf(r).map((e: { type: string; data: number }) => [e.type, e.data])).toEqual([
      ['bpm', 120],
      ['temp', 39],
    ]);
  });

  it('correlate: later events must carry the value the first one had (or the expected one)', () => {
    const def = wf(
      `      listen:\n        to:\n          all:\n            - with:\n                type: temperature\n              correlate:\n                roomId:\n                  from: .roomid\n            - with:\n                type: humidity\n              correlate:\n                roomId:\n                  from: .roomid`,
    );
    const r = runWith(
      load(def),
      {},
      {
        events: [
          ev('temperature', 20, { roomid: 'r1' }),
          ev('humidity', 50, { roomid: 'r2' }),
          ev('humidity', 55, { roomid: 'r1' }),
        ],
      },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: [20, 55] });
    const expectDef = wf(
      `      listen:\n        to:\n          one:\n            with:\n              type: temperature\n            correlate:\n              roomId:\n                from: .roomid\n                expect: \${ .room }`,
    );
    expect(
      runWith(
        load(expectDef),
        { room: 'r9' },
        { events: [ev('temperature', 1, { roomid: 'r1' }), ev('temperature', 2, { roomid: 'r9' })] },
      ).outcome,
    ).toEqual({ type: 'complete', output: [2] });
  });

  it('foreach runs its tasks per event with item/at variables and shapes each output', () => {
    const def = wf(
      `      listen:\n        to:\n          any: []\n          until: '\${ length >= 2 }'\n      foreach:\n        item: e\n        at: i\n        do:\n          - note:\n              set:\n                seen: \${ $e }\n                index: \${ $i }\n        output:\n          as: \${ .seen * 10 }`,
    );
    const r = runWith(load(def), {}, { events: [ev('x', 1), ev('x', 2), ev('x', 3)] });
    expect(r.outcome).toEqual({ type: 'complete', output: [10, 20] });
    expect(r.trace.filter((e) => e.task === 'note' && e.phase === 'completed').map((e) => e.output)).toEqual([
      { seen: 1, index: 0 },
      { seen: 2, index: 1 },
    ]);
  });

  it('a listen task timeout faults with the timeout error', () => {
    const def = wf(
      `      listen:\n        to:\n          one:\n            with:\n              type: never\n      timeout:\n        after: PT5S`,
    );
    const r = runWith(load(def), {}, { events: [] });
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.timeout, instance: '/do/0/wait4' } });
    expect(r.elapsedMs).toBe(5000);
  });
});
