// When the compaction check takes the flushed blocks as merged: from bucket listings, no Tempo needed.
import { describe, expect, it } from 'vitest';
import { mergedAll } from './blocks';

const block = (blockID: string, compactionLevel: number, compacted = false) => ({ blockID, compactionLevel, compacted });

describe('e2e compaction check: the flushed blocks are merged', () => {
  const flushed = new Set(['a', 'b', 'c']);

  it('once a merged block is listed and every flushed block is listed as compacted', () => {
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0, true)])).toBe(true);
  });

  it('not while a flushed block is still live, or is absent from the listing (taken mid-rename)', () => {
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0)])).toBe(false);
    expect(mergedAll(flushed, [block('m', 1)])).toBe(false);
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true)])).toBe(false);
  });

  it('not without a merged block that is itself live', () => {
    expect(mergedAll(flushed, [block('m', 1, true), block('a', 0, true), block('b', 0, true), block('c', 0, true)])).toBe(false);
  });
});
