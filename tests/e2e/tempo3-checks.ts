// Checks of the Tempo 3 e2e that read what runs beside Tempo: Prometheus (the metrics-generator's remote
// write, the scraped processes behind the Tempo 3 dashboard) and tempo-vulture's own counters; and the
// transport check of a TLS run.
import * as grpc from '@grpc/grpc-js';
import { TEMPO3_INGEST_UID } from '../../generators/dashboards/ingest-3';
import { expectThat } from './checks';
import { checkDashboard, renderedDashboards } from './dashboard-queries';
import { pem } from './pki';
import { byComponent, type Plan, type PlannedProcess } from './plan';
import type { Proc } from './proc';
import { sleep, until } from './proc';
import type { RenderedEnvironment } from './rendered';
import type { Stack } from './stack';
import { getJson, metricValue, request } from './tempo-api';
import { type TlsRun, handshake, listeningPorts, plaintextAnswer } from './tls';
import { GATEWAY } from './traces';
import { PrometheusApi } from './prometheus-api';

/**
 * traces_spanmetrics_calls_total of the e2e's gateway service, with the configured external labels. With
 * registry.inject_tenant_id_as (multitenancy), per tenant: a series for every tenant whose processors
 * (its overrides block, else "*", else the defaults) run span-metrics, and none for a tenant whose do not.
 */
export async function spanMetricsInPrometheus(plan: Plan, env: RenderedEnvironment, tenants: Array<string | undefined> = []): Promise<string> {
  const prom = `http://127.0.0.1:${plan.prometheusPort}`;
  const registry = env.tempo.metrics_generator?.registry ?? {};
  const labels = Object.entries<string>(registry.external_labels ?? {}).map(([k, v]) => `${k}="${v}"`);
  const selector = (extra: string[] = []) => `traces_spanmetrics_calls_total{${[`service="${GATEWAY}"`, ...labels, ...extra].join(',')}}`;
  const series = async (q: string) =>
    (await getJson<{ data?: { result?: unknown[] } }>(`${prom}/api/v1/query?${new URLSearchParams({ query: q })}`)).data?.result ?? [];
  const tenantLabel: string | undefined = registry.inject_tenant_id_as;
  const named = tenants.filter((t): t is string => t !== undefined);
  if (!tenantLabel || named.length === 0) {
    const q = selector();
    await until(`Prometheus has no series ${q}`, 120_000, async () => ((await series(q)).length > 0 ? true : undefined), 2000);
    return q;
  }
  const blocks = env.overrides?.overrides ?? {};
  const processors = (t: string): string[] =>
    (blocks[t] ?? blocks['*'])?.metrics_generator?.processors ?? env.tempo.overrides?.defaults?.metrics_generator?.processors ?? [];
  const counted = named.filter((t) => processors(t).includes('span-metrics'));
  const without = named.filter((t) => !counted.includes(t));
  for (const t of counted) {
    const q = selector([`${tenantLabel}="${t}"`]);
    await until(`Prometheus has no series ${q}`, 120_000, async () => ((await series(q)).length > 0 ? true : undefined), 2000);
  }
  for (const t of without) {
    const q = selector([`${tenantLabel}="${t}"`]);
    expectThat((await series(q)).length === 0, `${q}: span metrics of a tenant whose processors are ${processors(t).join(', ')}`);
  }
  return `${selector([`${tenantLabel}=~"${counted.join('|')}"`])}: a series per tenant${without.length ? `; none for ${without.join(', ')} (no span-metrics processor)` : ''}`;
}

/** tempo-vulture ran its time, checked at least one trace, and counted no error of any kind. */
export async function vultureWithoutErrors(plan: Plan, stack: Stack, started: number, seconds: number): Promise<string> {
  const p = byComponent(plan, 'vulture')[0]!;
  const remaining = started + seconds * 1000 - Date.now();
  if (remaining > 0) await sleep(remaining);
  const proc = stack.proc(p.id);
  expectThat(proc.running, `tempo-vulture exited:\n${proc.tail(8)}`);
  const listen = Number(
    p.workload.args
      .find((a) => a.startsWith('-prometheus-listen-address='))
      ?.split(':')
      .pop() ?? 80,
  );
  let text = '';
  await until(
    'tempo-vulture checked no trace',
    30_000,
    async () => {
      text = (await request(`http://127.0.0.1:${p.ports.get(listen)}/metrics`)).text;
      return (metricValue(text, 'tempo_vulture_trace_total') ?? 0) > 0 ? true : undefined;
    },
    1000,
  );
  const errors = text.split('\n').filter((l) => /^tempo_vulture_(trace_)?error_total/.test(l) && Number(l.split(' ').pop()) > 0);
  expectThat(errors.length === 0, `tempo-vulture counted failures: ${errors.join('; ')}`);
  return `${metricValue(text, 'tempo_vulture_trace_total')} traces checked (${metricsChecks(proc.log())}), 0 errors`;
}

/** How many TraceQL-metrics checks vulture logged ("searching Tempo via metrics"), and the youngest trace's age. */
function metricsChecks(log: string): string {
  const lines = log.split('\n').filter((l) => l.includes('searching Tempo via metrics'));
  // Its logfmt encoder writes ago=<Go duration>: 18.2s, or 1m3.4s past a minute.
  const ages = lines.flatMap((l) => {
    const m = /\bago=(?:(\d+)m)?([\d.]+)s\b/.exec(l);
    return m ? [Number(m[1] ?? 0) * 60 + Number(m[2])] : [];
  });
  const youngest = ages.length ? `, the youngest ${Math.min(...ages).toFixed(1)} s old` : '';
  return `${lines.length} by TraceQL metrics${youngest}`;
}

/**
 * A gRPC health check over TLS carrying a tenant: Tempo 3.0.3 answers an unauthenticated one with "no org
 * id" when multitenancy is on. Resolves with why it failed, or undefined.
 */
function grpcHealth(port: number, servername: string, ca: Buffer, pair?: { cert: Buffer; key: Buffer }): Promise<string | undefined> {
  const creds = pair ? grpc.credentials.createSsl(ca, pair.key, pair.cert) : grpc.credentials.createSsl(ca);
  const client = new grpc.Client(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername });
  const metadata = new grpc.Metadata();
  metadata.set('x-scope-orgid', 'e2e-transport');
  return new Promise((resolve) => {
    const noop = (b: Buffer) => b;
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', noop, noop, Buffer.alloc(0), metadata, { deadline: Date.now() + 5_000 }, (err) => {
      client.close();
      resolve(err ? `${grpc.status[err.code] ?? err.code}: ${err.details}` : undefined);
    });
  });
}

/**
 * tls.ts's checkTransport for Tempo 3 (its health checks carry a tenant): every TCP port every Tempo and
 * memcached process listens on refuses plaintext and speaks TLS under its certificate's name; Tempo's gRPC
 * port and memcached also refuse a client without a certificate, and one signed by another CA.
 */
export async function checkTransport3(plan: Plan, tls: TlsRun, procs: Map<string, Proc>): Promise<string> {
  const ca = pem(tls.pki.ca);
  const mine = { cert: pem(tls.pki.client.crt), key: pem(tls.pki.client.key) };
  const rogue = { cert: pem(tls.pki.rogue.crt), key: pem(tls.pki.rogue.key) };
  const grpcPort = Number(plan.env.tempo.server?.grpc_listen_port ?? 9095);
  const checked: PlannedProcess[] = plan.processes.filter((x) => x.role !== 'vulture');
  let ports = 0;
  let mutual = 0;
  for (const p of checked) {
    const pid = procs.get(p.id)?.child.pid;
    expectThat(pid, `${p.id} is not running`);
    const listening = listeningPorts(pid);
    expectThat(listening.length > 0, `${p.id} (pid ${pid}) listens on no TCP port`);
    const podPort = (port: number) => [...p.ports, ...p.podLocalPorts].find(([, l]) => l === port)?.[0];
    const name = (port: number) => tls.names.get(port) ?? [...tls.names.values()][0]!;
    for (const port of listening) {
      const what = `${p.id} port ${port} (pod port ${podPort(port) ?? 'unplanned'})`;
      const plain = await plaintextAnswer(port);
      expectThat(plain === undefined, `${what} answered plaintext: ${plain}`);
      const stats = p.role === 'memcached' ? 'stats\r\n' : undefined;
      if (stats || podPort(port) === grpcPort) {
        const call = (pair?: { cert: Buffer; key: Buffer }) => (stats ? handshake(port, name(port), ca, pair, stats) : grpcHealth(port, name(port), ca, pair));
        const ok = await call(mine);
        expectThat(ok === undefined, `${what}: with the CA's client certificate: ${ok}`);
        expectThat(await call(), `${what}: answered a client without a certificate`);
        expectThat(await call(rogue), `${what}: answered a client certificate of another CA`);
        mutual++;
      } else {
        const why = await handshake(port, name(port), ca);
        expectThat(why === undefined, `${what}: no TLS handshake under ${name(port)}: ${why}`);
      }
      ports++;
    }
  }
  return `${checked.length} processes: ${ports} listening ports refuse plaintext and speak TLS under their certificate's name; ${mutual} (Tempo gRPC, memcached) refuse no client certificate and another CA's`;
}

/**
 * Every query of the rendered Tempo / Tempo 3 ingest dashboard returns series from the scraped 3.0.3
 * processes: its Tempo 3 names are not excused here (only error-only counters and cluster-only series
 * are). Retried while series arrive (scrapes, the first block and compaction job), bounded: 12 x 5 s.
 */
export async function tempo3DashboardSeries(plan: Plan, env: RenderedEnvironment): Promise<string> {
  const d = renderedDashboards(env.objects).find((x) => x.uid === TEMPO3_INGEST_UID);
  expectThat(d, `the environment renders no dashboard ${TEMPO3_INGEST_UID}`);
  const prom = new PrometheusApi(`http://127.0.0.1:${plan.prometheusPort}`);
  const noTraceQL = async (q: string): Promise<number> => {
    throw new Error(`${TEMPO3_INGEST_UID} has a TraceQL query (${q}); this check runs PromQL only`);
  };
  let r = await checkDashboard(d, prom, noTraceQL, '3.0');
  for (let i = 0; r.problems.length && i < 12; i++) {
    await sleep(5000);
    r = await checkDashboard(d, prom, noTraceQL, '3.0');
  }
  expectThat(!r.problems.length, `${r.problems.length} of ${r.queries} queries:\n    ${r.problems.join('\n    ')}`);
  const excused = r.excused.map((e) => `${e.where} (${e.declarations.map(([m, x]) => `${m}: ${x.absence}`).join(', ')})`);
  return `${r.withSeries} of ${r.queries} queries return series [${r.series.join('; ')}]${excused.length ? `; declared empty: ${excused.join('; ')}` : ''}`;
}
