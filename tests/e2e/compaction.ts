// The compactor's side of a run: it merges the replicas' copies of the flushed blocks without losing a trace
// or keeping one twice, judged by the bucket listing, the compactor's own log and a search of each block.
import { expectThat } from './checks';
import { type RunContext, tenantDir } from './context';
import { until } from './proc';
import { search } from './tempo-api';

/** What the compactor's log says it did for one tenant (Tempo 2.10.8's compactor.go log lines). */
export interface CompactorAccount {
  /** Blocks it compacted: their merged block was written. */
  inputs: Set<string>;
  /** A cycle ended with "No more blocks to compact" after its last compaction: what is left, it leaves. */
  settled: boolean;
}

export function compactorAccount(log: string, tenant: string): CompactorAccount {
  const inputs = new Set<string>();
  let pending: string[] = [];
  let settled = false;
  const field = (line: string, key: string) => new RegExp(`\\b${key}=("?)([^"\\s]*)\\1`).exec(line)?.[2];
  for (const line of log.split('\n')) {
    if (field(line, 'tenantID') !== tenant) continue;
    if (line.includes('msg="compacting block"')) pending.push(field(line, 'blockID') ?? '');
    else if (line.includes('msg="wrote compacted block"')) {
      for (const id of pending) inputs.add(id);
      pending = [];
      settled = false;
    } else if (line.includes('No more blocks to compact')) settled = inputs.size > 0;
  }
  return { inputs, settled };
}

/**
 * Merged: the compactor has compacted and settled (a cycle found nothing more to merge), a merged block is
 * listed, and every block it compacted is listed as compacted. Listed, not merely absent: the compactor
 * renames meta.json to meta.compacted.json (copy, then delete) after writing the merged block, and a
 * listing taken during the rename shows neither (a staging run found "1 merged block from 0 inputs").
 * Not every flushed block: Tempo's block selector merges 2 to 4 blocks of one level and window, smallest
 * first, so with 5 or 9 flushed blocks the largest is left alone until its window closes (a CI prod run
 * waited for it in vain). Every flushed block must still be listed, compacted or left as it was.
 */
export function mergedAll(
  flushed: Set<string>,
  blocks: Array<{ blockID: string; compactionLevel: number; compacted: boolean }>,
  account: CompactorAccount,
): boolean {
  const listed = (id: string, compacted: boolean) => blocks.some((b) => b.blockID === id && (b.compacted || !compacted));
  return (
    account.settled &&
    blocks.some((b) => b.compactionLevel >= 1 && !b.compacted) &&
    [...account.inputs].every((id) => listed(id, true)) &&
    [...flushed].every((id) => listed(id, false))
  );
}

export async function checkCompaction(ctx: RunContext): Promise<string> {
  const compactor = ctx.tempo('compactor');
  // The compactor lists the bucket once when it starts, then every blocklist_poll (5 min): it must
  // have started its listing after the flush, or be restarted to see the blocks.
  if (compactorPolledBefore(ctx)) {
    ctx.notes.push('the compactor became ready before the flush: restarted it so its first listing sees the blocks');
    await ctx.stack.restart(compactor);
    await ctx.waitReady([compactor], 150_000);
  }
  // One tenant per compaction cycle (30 s), in the compactor's own order: the check takes the first tenant
  // whose blocks are merged (the run's first tenant, with the crash bursts, when several are), rather than
  // waiting up to a cycle per tenant for one of them.
  const tenants = [...new Set(ctx.pushed.map((t) => t.tenant))];
  const account = (t: string | undefined) => compactorAccount(ctx.stack.proc(compactor.id).log(), tenantDir(t));
  const hasMerged = (t: string | undefined, bs: Awaited<ReturnType<typeof ctx.tenantBlocks>>) =>
    mergedAll(ctx.flushedBlocks.get(tenantDir(t)) ?? new Set(), bs, account(t));
  let tenant = tenants[0];
  let blocks: Awaited<ReturnType<typeof ctx.tenantBlocks>> = [];
  const state = (t: string | undefined, bs: typeof blocks) => {
    const { inputs, settled } = account(t);
    const listing = bs.map((b) => `${b.blockID.slice(0, 8)} L${b.compactionLevel}${b.compacted ? ' compacted' : ''}`).join(', ');
    return `${tenantDir(t)}: the compactor's log names ${inputs.size} compacted blocks${settled ? ', settled' : ', not settled'}; listed: ${listing}`;
  };
  await until(
    "the compactor merged no tenant's flushed blocks",
    45_000 + 30_000 * (tenants.length + 1),
    async () => {
      const all = await Promise.all(tenants.map(async (t) => [t, await ctx.tenantBlocks(t)] as const));
      const done = all.find(([t, bs]) => hasMerged(t, bs));
      if (!done) throw new Error(state(all[0]![0], all[0]![1]));
      [tenant, blocks] = done;
      return true;
    },
    1000,
  );
  const merged = blocks.filter((b) => b.compactionLevel >= 1 && !b.compacted && b.replicationFactor !== 1);
  const inputs = blocks.filter((b) => b.compacted);
  expectThat(merged.length > 0 && inputs.length >= 2, `compaction left ${merged.length} merged blocks from ${inputs.length} inputs`);
  // Every trace of this tenant in the merged blocks, once per block: search each block by itself. A
  // compaction takes at most 4 blocks (Tempo's blockselector): with more ingesters than that, a trace's
  // copies can sit in two groups, each merged into its own block until the next level merges those.
  const querier = ctx.tempo('querier');
  const found = new Map<string, number>();
  // A search answers each trace once however many rows it has (Tempo's MetadataCombiner merges by trace
  // id), so a trace written twice into a block shows as rows (meta.json's totalObjects) beyond the
  // distinct traces that `{ }` finds in it.
  const twiceInABlock: string[] = [];
  for (const b of merged) {
    const params = new URLSearchParams({
      q: '{ }',
      limit: '100000',
      spss: '1',
      start: String(Math.floor(Date.parse(b.startTime) / 1000) - 1),
      end: String(Math.ceil(Date.parse(b.endTime) / 1000) + 1),
      blockID: b.blockID,
      startPage: '0',
      pagesToSearch: String(Math.max(1, b.totalRecords)),
      encoding: b.encoding,
      indexPageSize: String(b.indexPageSize),
      totalRecords: String(b.totalRecords),
      dataEncoding: b.dataEncoding,
      version: b.version,
      size: String(b.size),
      footerSize: String(b.footerSize),
    });
    const hits = await search(`${ctx.base(querier)}/querier`, Object.fromEntries(params), tenant);
    const ids = new Set(hits.map((h) => h.traceID));
    if (ids.size !== b.totalObjects) twiceInABlock.push(`${b.blockID}: ${b.totalObjects} rows, ${ids.size} distinct traces`);
    for (const id of ids) found.set(id, (found.get(id) ?? 0) + 1);
  }
  const mine = ctx.pushed.filter((t) => t.tenant === tenant);
  const missing = mine.filter((t) => !found.has(t.traceId));
  const most = Math.min(merged.length, ctx.replicationFactor);
  const twice = [...found.entries()].filter(([, n]) => n > most);
  const spread = [...found.values()].filter((n) => n > 1).length;
  const objects = merged.reduce((n, b) => n + b.totalObjects, 0);
  expectThat(
    missing.length === 0,
    `${missing.length} of ${mine.length} traces are in no compacted block: ${missing
      .slice(0, 3)
      .map((t) => t.traceId)
      .join(', ')}`,
  );
  expectThat(twiceInABlock.length === 0, `a merged block's rows are not one per trace: ${twiceInABlock.join('; ')}`);
  expectThat(twice.length === 0, `${twice.length} traces are in more than ${most} compacted block(s)`);
  const groups = spread ? ` (${spread} in more than one merged block: their copies were in different compactions)` : '';
  const flushed = ctx.flushedBlocks.get(tenantDir(tenant)) ?? new Set();
  const alone = blocks.filter((b) => flushed.has(b.blockID) && !b.compacted).map((b) => b.blockID.slice(0, 8));
  const leftAlone = alone.length ? `; left at L0 by Tempo's block selector (no partner in its level and window): ${alone.join(', ')}` : '';
  return `${inputs.length} blocks (${tenantDir(tenant)}) merged into ${merged.length}${leftAlone}; all ${mine.length} e2e traces present; each merged block's rows are distinct traces${groups} (${objects} traces in total, ${inputs.reduce((n, b) => n + b.totalObjects, 0)} in the inputs)`;
}

export function compactorPolledBefore(ctx: RunContext): boolean {
  const log = ctx.stack.proc(ctx.tempo('compactor').id).log();
  const polled = /ts=(\S+) [^\n]*msg="polling enabled"/.exec(log)?.[1];
  return polled !== undefined && Date.parse(polled) < ctx.flushedAt;
}
