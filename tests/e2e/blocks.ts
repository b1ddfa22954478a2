// The bucket side of a run: a flush writes blocks in the configured format and prefix, a restarted querier
// reads them (through memcached), and the compactor merges the replicas' copies without losing a trace.
import { readFileSync } from 'node:fs';
import { expectThat } from './checks';
import { type RunContext, as, inParallel, tenantDir } from './context';
import { byComponent, type PlannedProcess } from './plan';
import { until } from './proc';
import { push } from './push';
import { metricValue, metrics, request, search, spansOf } from './tempo-api';
import { columnsOf } from './tenant-checks';
import { makeTrace, spanIds, type TestTrace } from './traces';

/**
 * POST /flush on every ingester, right after a marker trace: an ingester that holds it must flush a
 * block (one with nothing new to flush writes none); then every flush queue must drain.
 */
export async function flushAll(ctx: RunContext, tenant: string | undefined): Promise<TestTrace> {
  const flushed = async (p: PlannedProcess) => metricValue(await metrics(ctx.base(p)), 'tempo_ingester_blocks_flushed_total') ?? 0;
  const before = new Map<string, number>();
  for (const p of ctx.ingesters) before.set(p.id, await flushed(p));
  const marker = makeTrace('flush marker', tenant, columnsOf(ctx.env, tenant));
  await push('otlp.grpc', ctx.otlpGrpcAddress(), [marker], tenant);
  ctx.pushed.push(marker);
  for (const p of ctx.ingesters) {
    const r = await request(`${ctx.base(p)}/flush`, { method: 'POST' });
    expectThat(r.status === 204 || r.status === 200, `POST ${p.id}/flush: HTTP ${r.status}`);
  }
  // Every replica holds the marker when the replication factor covers all ingesters.
  const holders = ctx.replicationFactor >= ctx.ingesters.length ? ctx.ingesters : [];
  await until(
    `after POST /flush, ingesters ${holders.map((p) => p.id).join(', ')} flushed no new block or their flush queues did not drain`,
    60_000,
    async () => {
      for (const p of ctx.ingesters) {
        const m = await metrics(ctx.base(p));
        if ((metricValue(m, 'tempo_ingester_flush_queue_length') ?? 0) > 0) return undefined;
        if (holders.includes(p) && (metricValue(m, 'tempo_ingester_blocks_flushed_total') ?? 0) <= before.get(p.id)!) return undefined;
      }
      return true;
    },
    500,
  );
  return marker;
}

export async function checkFlush(ctx: RunContext): Promise<string> {
  const tenants = [...new Set(ctx.pushed.map((t) => t.tenant))];
  await flushAll(ctx, tenants[0]);
  const version = ctx.env.tempo.storage?.trace?.block?.version ?? 'vParquet4';
  const keys = await ctx.bucket.keys();
  const outside = keys.filter((k) => !k.startsWith(`${ctx.prefix}/`));
  expectThat(!ctx.prefix || outside.length === 0, `objects outside the configured prefix "${ctx.prefix}/": ${outside.slice(0, 3).join(', ')}`);
  const parts: string[] = [];
  for (const tenant of tenants) {
    // Ingester blocks; the metrics-generator's local-blocks (flush_to_storage) are RF1 blocks beside them.
    let blocks = (await ctx.tenantBlocks(tenant)).filter((b) => b.replicationFactor !== 1);
    if (blocks.length < 2) {
      // One ingester, one block: flush once more so the compactor has two blocks to merge.
      await flushAll(ctx, tenant);
      blocks = (await ctx.tenantBlocks(tenant)).filter((b) => b.replicationFactor !== 1);
    }
    expectThat(
      blocks.length >= Math.min(ctx.ingesters.length, 2),
      `tenant ${tenantDir(tenant)}: ${blocks.length} blocks under ${ctx.prefix}/${tenantDir(tenant)}/ after the flush`,
    );
    const columns = columnsOf(ctx.env, tenant);
    for (const b of blocks) {
      expectThat(b.version === version, `block ${b.key}: format ${b.version}, configured ${version}`);
      const names = b.dedicatedColumns.map((c) => c.n).sort();
      expectThat(
        JSON.stringify(names) === JSON.stringify(columns.map((c) => c.name).sort()),
        `block ${b.key}: dedicated columns ${names.join(',')}, configured ${columns.map((c) => c.name).join(',')}`,
      );
    }
    ctx.flushedBlocks.set(tenantDir(tenant), new Set(blocks.map((b) => b.blockID)));
    parts.push(`${tenantDir(tenant)}: ${blocks.length} ${version} blocks`);
  }
  ctx.flushedAt = Date.now();
  return `${parts.join('; ')} under ${ctx.prefix || '(no prefix)'}/ with the configured dedicated columns`;
}

export async function memcachedStats(ctx: RunContext): Promise<Record<string, number>> {
  const p = byComponent(ctx.plan, 'memcached')[0];
  if (!p) return {};
  const { createConnection } = await import('node:net');
  const { connect } = await import('node:tls');
  const port = [...p.ports.values()][0]!;
  const pki = ctx.tls?.pki;
  return new Promise((resolve, reject) => {
    // memcached with TLS asks for a client certificate of the CA, as Tempo presents its own.
    const socket = pki
      ? connect({
          host: '127.0.0.1',
          port,
          ca: readFileSync(pki.ca),
          cert: readFileSync(pki.client.crt),
          key: readFileSync(pki.client.key),
          servername: ctx.tls!.names.get(port),
        })
      : createConnection({ host: '127.0.0.1', port });
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('memcached stats timed out')));
    socket.on('data', (d) => {
      text += d.toString();
      if (text.includes('END\r\n')) {
        socket.end();
        resolve(Object.fromEntries([...text.matchAll(/^STAT (\S+) (\d+)\r$/gm)].map((m) => [m[1]!, Number(m[2])])));
      }
    });
    socket.on('error', reject);
    socket.write('stats\r\n');
  });
}

export async function checkQuerierReadsBlocks(ctx: RunContext): Promise<string> {
  const querier = ctx.tempo('querier');
  await ctx.stack.restart(querier);
  await ctx.waitReady([querier], 60_000);
  const before = await memcachedStats(ctx);
  // Straight to the restarted querier, blocks only: what it finds, it read from the bucket.
  const blocksOnly = `?mode=blocks&blockStart=00000000-0000-0000-0000-000000000000&blockEnd=ffffffff-ffff-ffff-ffff-ffffffffffff`;
  // Each protocol's trace, and a sample of the crash bursts: s3rver serves ~3 trace reads a second.
  // (That every trace reached the bucket is proven on the compacted blocks, all of them.)
  const sample = [
    ...ctx.pushed.filter((t) => t.protocol !== 'crash burst'),
    ...ctx.pushed.filter((t) => t.protocol === 'crash burst').filter((_, i) => i % 10 === 0),
  ];
  const byTenant = new Map<string | undefined, TestTrace[]>();
  for (const t of sample) byTenant.set(t.tenant, [...(byTenant.get(t.tenant) ?? []), t]);
  for (const [tenant, traces] of byTenant) {
    await inParallel(traces, 2, async (t) => {
      const r = await request(`${ctx.base(querier)}/querier/api/traces/${t.traceId}${blocksOnly}`, {
        tenant,
        headers: { Accept: 'application/json' },
        timeoutMs: 30_000,
      });
      expectThat(r.status === 200, `trace ${t.traceId}${as(tenant)} from the bucket: HTTP ${r.status} ${r.text.slice(0, 160)}`);
      const got = spansOf(JSON.parse(r.text))
        .map((s) => s.spanId)
        .sort();
      expectThat(
        JSON.stringify(got) === JSON.stringify(spanIds(t)),
        `trace ${t.traceId}${as(tenant)} from the bucket: spans ${got.join(',') || 'none'}, want ${spanIds(t).join(',')}`,
      );
    });
  }
  const after = await memcachedStats(ctx);
  if (byComponent(ctx.plan, 'memcached').length && ctx.env.tempo.cache?.caches?.length) {
    await ctx.checks.run('memcached is used by the read path', async () => {
      const gets = (after.cmd_get ?? 0) - (before.cmd_get ?? 0);
      const sets = (after.cmd_set ?? 0) - (before.cmd_set ?? 0);
      expectThat(gets > 0, `memcached saw no get while the querier read ${sample.length} traces from blocks (cmd_get ${before.cmd_get} -> ${after.cmd_get})`);
      return `${gets} gets, ${sets} sets, ${(after.get_hits ?? 0) - (before.get_hits ?? 0)} hits while the querier read the blocks`;
    });
  } else ctx.checks.skip('memcached is used by the read path', 'the environment renders no cache');
  return `${sample.length} traces (every protocol's, every 10th of the crash bursts) complete from the bucket (querier restarted, mode=blocks)`;
}

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
