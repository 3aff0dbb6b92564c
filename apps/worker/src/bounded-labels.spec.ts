import { BoundedLabels } from './bounded-labels';

describe('BoundedLabels', () => {
  it('keeps the first distinct values, then answers other; known values stay themselves', () => {
    const labels = new BoundedLabels(2);
    expect(labels.value('a')).toBe('a');
    expect(labels.value('b')).toBe('b');
    expect(labels.value('c')).toBe('other');
    expect(labels.value('a')).toBe('a');
  });

  it('cuts long values to 100 characters', () => {
    expect(new BoundedLabels(5).value('x'.repeat(500))).toBe('x'.repeat(100));
  });
});
