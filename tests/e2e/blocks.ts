// The bucket side of a run: a flush writes blocks in the configured format and prefix, and a restarted
// querier reads them (through memcached). The compactor's merge is in compaction.ts.
import { readFileSync } from 'node:fs';
import { expectThat } from './checks';
import { type RunContext, as, inParallel, tenantDir } from './context';
import { byComponent, type PlannedProcess } from './plan';
import { until } from './proc';
import { push } from './push';
import { metricValue, metrics, request, spansOf } from './tempo-api';
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
