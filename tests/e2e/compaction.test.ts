// When the compaction check takes the flushed blocks as merged: from bucket listings and the compactor's
// log (lines in Tempo 2.10.8's format, as a CI prod run wrote them), no Tempo needed.
import { describe, expect, it } from 'vitest';
import { compactorAccount, mergedAll } from './compaction';
import { makeTrace, SHARED_SPAN_TIME_MS, sharedSpanTime } from './traces';

const block = (blockID: string, compactionLevel: number, compacted = false) => ({ blockID, compactionLevel, compacted });
const line = (msg: string, fields = '') => `level=info ts=2026-12-07T12:02:03.6Z caller=compactor.go:1 msg="${msg}" ${fields}`;
const compacting = (id: string, tenant = 't1') => line('compacting block', `version=vParquet4 tenantID=${tenant} blockID=${id} compactionLevel=0`);
const wrote = (id: string, tenant = 't1') => line('wrote compacted block', `version=vParquet4 tenantID=${tenant} blockID=${id} compactionLevel=1`);
const noMore = (tenant = 't1') => line('compaction cycle complete. No more blocks to compact', `tenantID=${tenant}`);
const log = (...lines: string[]) => lines.join('\n');

describe('e2e compaction check: what the compactor says it compacted', () => {
  it('counts the inputs of a written merged block, for its tenant only', () => {
    const account = compactorAccount(log(compacting('a'), compacting('b'), wrote('m'), compacting('x', 't2'), compacting('c')), 't1');
    expect([...account.inputs].sort()).toEqual(['a', 'b']);
    expect(account.settled).toBe(false);
  });

  it('is settled only by a cycle that found nothing more after a compaction', () => {
    expect(compactorAccount(log(noMore()), 't1').settled).toBe(false);
    expect(compactorAccount(log(compacting('a'), compacting('b'), wrote('m'), noMore()), 't1').settled).toBe(true);
    expect(compactorAccount(log(compacting('a'), compacting('b'), wrote('m'), noMore('t2')), 't1').settled).toBe(false);
    expect(compactorAccount(log(compacting('a'), compacting('b'), wrote('m'), noMore(), compacting('m'), compacting('n'), wrote('o')), 't1').settled).toBe(
      false,
    );
  });
});

describe('e2e compaction check: the flushed blocks are merged', () => {
  const flushed = new Set(['a', 'b', 'c']);
  const all = compactorAccount(log(compacting('a'), compacting('b'), compacting('c'), wrote('m'), noMore()), 't1');

  it('once settled, a merged block is listed and every block it compacted is listed as compacted', () => {
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0, true)], all)).toBe(true);
  });

  it('leaves out a flushed block the compactor left alone (5 or 9 blocks: the largest has no partner)', () => {
    const two = compactorAccount(log(compacting('a'), compacting('b'), wrote('m'), noMore()), 't1');
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0)], two)).toBe(true);
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true)], two)).toBe(false);
  });

  it('not before the compactor settles, nor while a block it compacted is live or absent (mid-rename)', () => {
    const busy = compactorAccount(log(compacting('a'), compacting('b'), compacting('c'), wrote('m')), 't1');
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0, true)], busy)).toBe(false);
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true), block('c', 0)], all)).toBe(false);
    expect(mergedAll(flushed, [block('m', 1)], all)).toBe(false);
    expect(mergedAll(flushed, [block('m', 1), block('a', 0, true), block('b', 0, true)], all)).toBe(false);
  });

  it('not without a merged block that is itself live', () => {
    expect(mergedAll(flushed, [block('m', 1, true), block('a', 0, true), block('b', 0, true), block('c', 0, true)], all)).toBe(false);
  });
});

describe('sharedSpanTime: batches pushed either side of the hour still end in one compaction window', () => {
  const hour = 3_600_000;
  const window = (at: number) => {
    const spans = makeTrace('unit', undefined, [], at).services.flatMap((s) => s.spans);
    return Math.floor(Math.max(...spans.map((x) => x.startMs + x.durationMs)) / hour);
  };
  const boundary = Date.UTC(2026, 11, 7, 14);

  it("keeps the first batch's span time while it is within the ingestion slack", () => {
    const first = sharedSpanTime(undefined, boundary - 10_000);
    const second = sharedSpanTime(first, boundary + 3_000);
    expect(second).toBe(first);
    expect(window(second)).toBe(window(first));
    expect(window(boundary + 3_000)).not.toBe(window(first)); // the batch's own time would not
  });

  it('takes the time of the push once the previous one is older than Tempo would keep', () => {
    const first = boundary - 10_000;
    expect(sharedSpanTime(first, first + SHARED_SPAN_TIME_MS)).toBe(first);
    expect(sharedSpanTime(first, first + SHARED_SPAN_TIME_MS + 1)).toBe(first + SHARED_SPAN_TIME_MS + 1);
    expect(SHARED_SPAN_TIME_MS).toBeLessThan(2 * 60_000); // ingestion_time_range_slack's default in 2.10.8 and 3.0.3
  });
});
