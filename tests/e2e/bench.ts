// npm run bench:stack: the loopback stack under rising push rates, for the rendered config and, in the
// same run, for a baseline with the same topology and Tempo's defaults for everything else (no cache,
// default limits). Every step is bounded in time; the generator caps requests in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Binaries } from './binaries';
import { prepareTls, schemeOf } from './tls';
import { byComponent, planStack, receiverEndpoints, resolveAddress, urlOf, type Plan } from './plan';
import { abortWaits, freePorts, resetWaits, sleep, until } from './proc';
import { closeClients, push } from './push';
import type { Any, RenderedEnvironment } from './rendered';
import { Stack } from './stack';
import { isReady, request, search } from './tempo-api';
import { multitenancy } from './tenants';
import { dedicatedColumns, dedicatedValue, makeTrace, spanCount, type TestTrace } from './traces';
import { selects } from './topology';

export interface BenchOptions {
  /** Spans per second of each step. */
  rates: number[];
  stepSeconds: number;
  /** Spans per push request. */
  batchSpans: number;
  maxInFlight: number;
  log: (line: string) => void;
}

export const DEFAULT_BENCH: Omit<BenchOptions, 'log'> = { rates: [2000, 4000, 8000, 16000, 32000], stepSeconds: 5, batchSpans: 90, maxInFlight: 32 };

export interface StepResult {
  rate: number;
  acceptedPerSecond: number;
  refusedSpans: number;
  /** Requests the generator could not start because maxInFlight were pending (the stack fell behind). */
  skippedRequests: number;
  pushP99Ms: number;
}

export interface ConfigResult {
  name: string;
  steps: StepResult[];
  acceptedPerSecond: number;
  refusedSpans: number;
  pushP99Ms: number;
  traceByIdP99Ms: number;
  searchP99Ms: number;
  queries: number;
}

/** Keys that make the topology (and where things are): everything else is left to Tempo's defaults. */
const TOPOLOGY_PATHS = [
  'multitenancy_enabled',
  'stream_over_http_enabled',
  'usage_report',
  'server.http_listen_port',
  'server.grpc_listen_port',
  'memberlist',
  'distributor.ring',
  'distributor.receivers',
  'ingester.lifecycler.ring',
  // Zone-aware: the zone each ingester announces (a zone-aware ring of one zone would refuse every write).
  'ingester.lifecycler.availability_zone',
  'querier.frontend_worker.frontend_address',
  // TLS is part of the topology: the baseline encrypts what the rendered config encrypts.
  'server.tls_min_version',
  'server.grpc_tls_config',
  'server.http_tls_config',
  'ingester_client',
  'metrics_generator_client',
  'querier.frontend_worker.grpc_client_config',
  'compactor.ring',
  'metrics_generator.ring',
  'metrics_generator.storage',
  'metrics_generator.traces_storage',
  'storage.trace.backend',
  'storage.trace.s3.bucket',
  'storage.trace.s3.prefix',
  'storage.trace.s3.endpoint',
  'storage.trace.s3.region',
  'storage.trace.s3.access_key',
  'storage.trace.s3.secret_key',
  'storage.trace.wal',
];

/** The rendered config reduced to its topology: no cache, default limits, default block and query settings. */
export function baselineConfig(rendered: Any): Any {
  const out: Any = {};
  for (const path of TOPOLOGY_PATHS) {
    const keys = path.split('.');
    let from = rendered;
    for (const k of keys) from = from?.[k];
    if (from === undefined) continue;
    let to = out;
    for (const k of keys.slice(0, -1)) to = to[k] ??= {};
    to[keys.at(-1)!] = structuredClone(from);
  }
  return out;
}

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function benchStack(env: RenderedEnvironment, bin: Binaries, opts: BenchOptions): Promise<ConfigResult[]> {
  const results: ConfigResult[] = [];
  for (const [name, tempo] of [
    ['rendered', env.tempo],
    ['baseline', baselineConfig(env.tempo)],
  ] as const) {
    results.push(await benchOne({ ...env, tempo }, name, bin, opts));
  }
  return results;
}

async function benchOne(env: RenderedEnvironment, name: string, bin: Binaries, opts: BenchOptions): Promise<ConfigResult> {
  const dir = mkdtempSync(join(tmpdir(), `tempo-bench-${env.name}-${name}-`));
  const ports = await freePorts(160);
  let next = 0;
  const plan = planStack(env, () => ports[next++]!, dir);
  // The baseline has no cache: its memcached would stand idle.
  if (!env.tempo.cache) plan.processes = plan.processes.filter((p) => p.role !== 'memcached');
  const stack = new Stack(plan, bin, env.tempo.storage.trace.s3.bucket, []);
  prepareTls(plan);
  const tenant = multitenancy(env) ? 'bench' : undefined;
  try {
    await stack.startBacking();
    stack.startAllTempo();
    const http = Number(env.tempo.server?.http_listen_port ?? 3200);
    await Promise.all(
      plan.processes
        .filter((p) => p.role === 'tempo' && p.component !== 'compactor')
        .map((p) => until(`${p.id} ready`, 90_000, async () => ((await isReady(urlOf(p, http, schemeOf(plan)))) ? true : undefined), 500)),
    );
    opts.log(`${name}: stack ready; pushing ${opts.rates.join(', ')} spans/s, ${opts.stepSeconds} s each`);
    const distributor = serviceAddress(plan, 'distributor', receiverEndpoints(env.tempo).find((r) => r.key === 'otlp.grpc')?.port ?? 4317);
    const frontend = `${schemeOf(plan)}://${serviceAddress(plan, 'query-frontend', http)}`;
    const acked: TestTrace[] = [];
    const queryLatency = { byId: [] as number[], search: [] as number[] };
    let querying = true;
    const queries = (async () => {
      const columns = dedicatedColumns(env.tempo);
      for (let i = 0; querying; i++) {
        await sleep(250);
        const t = acked[Math.floor(Math.random() * acked.length)];
        if (!t) continue;
        const started = performance.now();
        if (i % 2 === 0) await request(`${frontend}/api/v2/traces/${t.traceId}`, { tenant }).catch(() => undefined);
        else {
          const c = columns[0];
          const q = c ? `{ ${c.scope}.${c.name} = "${dedicatedValue(t.traceId, c)}" }` : `{ span.e2e.trace = "${t.traceId}" }`;
          const end = Math.ceil(Date.now() / 1000);
          await search(frontend, { q, start: String(end - 600), end: String(end) }, tenant).catch(() => undefined);
        }
        (i % 2 === 0 ? queryLatency.byId : queryLatency.search).push(performance.now() - started);
      }
    })();
    const steps: StepResult[] = [];
    for (const rate of opts.rates) steps.push(await pushStep(distributor, rate, opts, tenant, env, acked));
    querying = false;
    await queries;
    return {
      name,
      steps,
      acceptedPerSecond: Math.max(...steps.map((s) => s.acceptedPerSecond)),
      refusedSpans: steps.reduce((n, s) => n + s.refusedSpans, 0),
      pushP99Ms: Math.max(...steps.map((s) => s.pushP99Ms)),
      traceByIdP99Ms: percentile(queryLatency.byId, 99),
      searchP99Ms: percentile(queryLatency.search, 99),
      queries: queryLatency.byId.length + queryLatency.search.length,
    };
  } finally {
    closeClients();
    abortWaits('bench step over');
    await stack.stopAll();
    resetWaits();
    rmSync(dir, { recursive: true, force: true });
  }
}

function serviceAddress(plan: Plan, component: string, port: number): string {
  const target = byComponent(plan, component)[0];
  const svc = target && plan.services.find((s) => selects(s, target.workload.podLabels) && s.ports.some((p) => p.port === port));
  const address = svc && resolveAddress(plan, `${svc.name}.${svc.namespace}.svc.cluster.local:${port}`)[0];
  if (!address) throw new Error(`no Service reaches port ${port} of the ${component}`);
  return address;
}

/** One open-loop step: a request every (batch / rate) seconds for stepSeconds; latencies of each push. */
async function pushStep(
  address: string,
  rate: number,
  opts: BenchOptions,
  tenant: string | undefined,
  env: RenderedEnvironment,
  acked: TestTrace[],
): Promise<StepResult> {
  const tracesPerBatch = Math.max(1, Math.round(opts.batchSpans / 3));
  const spansPerBatch = tracesPerBatch * 3;
  const interval = (1000 * spansPerBatch) / rate;
  const columns = dedicatedColumns(env.tempo);
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let skipped = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due - start >= opts.stepSeconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= opts.maxInFlight) {
      skipped++;
      continue;
    }
    const batch = Array.from({ length: tracesPerBatch }, () => makeTrace('bench', tenant, columns));
    inFlight++;
    const sent = performance.now();
    pending.push(
      push('otlp.grpc', address, batch, tenant)
        .then(() => {
          accepted += batch.reduce((n, t) => n + spanCount(t), 0);
          if (acked.length < 5000) acked.push(batch[0]!);
        })
        .catch(() => {
          refused += spansPerBatch;
        })
        .finally(() => {
          latencies.push(performance.now() - sent);
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  return { rate, acceptedPerSecond: accepted / seconds, refusedSpans: refused, skippedRequests: skipped, pushP99Ms: percentile(latencies, 99) };
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()[0]!.toFixed(2)}, node ${process.version}`;
}

export function report(results: ConfigResult[]): string {
  const [r, b] = results;
  const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const ratio = (x: number, y: number) => (Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${(x / y).toFixed(2)}×` : 'n/a');
  const lines = [
    `| step (spans/s) | ${results.map((c) => `${c.name}: accepted/s, refused, push p99 ms`).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
    ...r!.steps.map(
      (s, i) =>
        `| ${s.rate} | ` +
        results
          .map(
            (c) =>
              `${fmt(c.steps[i]!.acceptedPerSecond)}, ${c.steps[i]!.refusedSpans}, ${fmt(c.steps[i]!.pushP99Ms)}${c.steps[i]!.skippedRequests ? ` (${c.steps[i]!.skippedRequests} requests not sent: the in-flight cap was reached)` : ''}`,
          )
          .join(' | ') +
        ' |',
    ),
    '',
    '| | rendered | baseline | rendered / baseline |',
    '|---|---|---|---|',
    `| best accepted spans/s | ${fmt(r!.acceptedPerSecond)} | ${fmt(b!.acceptedPerSecond)} | ${ratio(r!.acceptedPerSecond, b!.acceptedPerSecond)} |`,
    `| refused spans | ${r!.refusedSpans} | ${b!.refusedSpans} | — |`,
    `| push p99 (worst step) | ${fmt(r!.pushP99Ms)} ms | ${fmt(b!.pushP99Ms)} ms | ${ratio(r!.pushP99Ms, b!.pushP99Ms)} |`,
    `| trace by id p99 | ${fmt(r!.traceByIdP99Ms)} ms | ${fmt(b!.traceByIdP99Ms)} ms | ${ratio(r!.traceByIdP99Ms, b!.traceByIdP99Ms)} |`,
    `| search p99 | ${fmt(r!.searchP99Ms)} ms | ${fmt(b!.searchP99Ms)} ms | ${ratio(r!.searchP99Ms, b!.searchP99Ms)} |`,
  ];
  return lines.join('\n');
}
