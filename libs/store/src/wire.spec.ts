import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeRead,
  decodeRecords,
  F,
  J,
  JOURNAL_FIELD_DOCS,
  OP,
  OP_FIELD_DOCS,
  READS,
  readFields,
  TASK_FIELD_DOCS,
} from './wire';

describe('the wire format', () => {
  it('names each field once', () => {
    for (const table of [F, OP, J]) {
      const fields = Object.values(table);
      expect(new Set(fields).size).toBe(fields.length);
    }
  });

  it('is listed in full in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const docs of [TASK_FIELD_DOCS, OP_FIELD_DOCS, JOURNAL_FIELD_DOCS])
      for (const [name, [field]] of Object.entries(docs)) expect(readme).toContain(`| \`${name}\` | \`${field}\` |`);
  });

  it('keeps each write-back field at one index in every layout', () => {
    for (const layout of ['writebackWait', 'writebackEvent'] as const)
      expect(READS.writeback.slice(0, READS[layout].length)).toEqual(READS[layout]);
    expect([...READS.writeback.slice(READS.writeback.length - READS.writebackRest.length)]).toEqual(
      READS.writebackRest,
    );
  });

  it('decodes replies by name', () => {
    expect(readFields('filter')[0]).toBe('st');
    expect(decodeRead('filter', ['running', null])).toMatchObject({ status: 'running', paused: null, batch: null });
    const one = ['t1', 'c', 'n', '', '{}', '3', 'sleep', '{}', 'start', '', '5', '6', '7', 'ns', '', ''];
    expect(decodeRecords('claim', [-1, 0, ...one, ...one], 2).map((r) => [r.id, r.seq, r.namespace])).toEqual([
      ['t1', '3', 'ns'],
      ['t1', '3', 'ns'],
    ]);
  });
});
