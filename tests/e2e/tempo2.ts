// The Tempo 2 run, check after check (the slow ones in the background): start the stack, rings and TLS,
// every protocol as every tenant, the crash (or zone loss), flush, querier, compaction, vulture, tenants,
// and the observability checks (observability.ts) overlapping the end of vulture's minute.
import { checkFlush, checkQuerierReadsBlocks } from './blocks';
import { checkCompaction } from './compaction';
import { expectThat } from './checks';
import { RunContext, as } from './context';
import { checkCrash } from './crash';
import { ObservabilityChecks } from './observability';
import { byComponent, isWildcardHost, receiverEndpoints, splitHostPort, type PlannedProcess } from './plan';
import { sleep, until } from './proc';
import { PROTOCOLS, push, type Protocol } from './push';
import { getJson, metricValue, request, search } from './tempo-api';
import { SINGLE_TENANT } from './tenants';
import { checkOperatorsQuery, columnsOf, processorsOf, tenantChecks } from './tenant-checks';
import { BACKEND, GATEWAY, dedicatedValue, makeTrace, type TestTrace } from './traces';
import { checkSampledSpanMetrics } from './sampling-checks';
import { checkTransport, schemeOf } from './tls';
import { checkAgentAndGrafana } from './tls-clients';
import { checkRenewal } from './tls-renewal';

export class Tempo2Scenario extends RunContext {
  async run(): Promise<void> {
    const { checks, stack } = this;
    this.opts.log(
      `${this.env.name}: ${this.plan.processes.length} processes, replication factor ${this.replicationFactor}, tenants: ${this.tenants.map((t) => t ?? `${SINGLE_TENANT} (multitenancy off)`).join(', ')}`,
    );
    await stack.startBacking();
    const tempoProcs = this.plan.processes.filter((p) => p.role === 'tempo');
    // The compactor lists the bucket once when it is ready (after its ring's 1-min stability wait), then
    // every blocklist_poll (5 min). Started as ingestion begins, its first listing comes after the flush.
    const late = tempoProcs.filter((p) => p.component === 'compactor');
    for (const p of tempoProcs.filter((x) => !late.includes(x))) stack.startTempo(p);
    await checks.run('ready', () =>
      this.waitReady(
        tempoProcs.filter((p) => !late.includes(p)),
        60_000,
      ),
    );
    await checks.run('ring', () => this.checkRing());
    const tls = this.tls;
    const started = this.plan.processes.filter((p) => !late.includes(p));
    if (tls) await checks.run('TLS: no port of Tempo or memcached accepts plaintext', () => checkTransport(this.plan, tls, stack.procs, started));
    else checks.skip('TLS: no port of Tempo or memcached accepts plaintext', 'the rendered config runs without TLS (tls.enabled: false)');
    const renewal = 'TLS: a renewed certificate is served where Tempo re-reads it; the Deployment names its Secret for Reloader';
    if (tls) await checks.run(renewal, () => checkRenewal(this.plan, tls));
    else checks.skip(renewal, 'the rendered config runs without TLS (tls.enabled: false)');
    const zones = this.zones;
    if (zones) await checks.run('zones: the ring places every ingester in the zone its StatefulSet gives it', () => this.checkZonedRing(zones));
    else checks.skip('zones', 'the rendered ingesters announce no availability zone');
    for (const p of late) stack.startTempo(p);
    const compactorReady = checks.background('ready: compactor', () => this.waitReady(late, 150_000));
    const skipObservability = this.opts.skipObservability;
    const observe = skipObservability ? undefined : new ObservabilityChecks(this.env, this.plan, stack, checks, this.frontend);
    if (skipObservability) checks.skip('observability (scrape, dashboards, rules, alerts)', skipObservability);
    // The dashboards' traffic from the start: by the time they are checked, its series are there.
    observe?.startTraffic();
    try {
      await this.checkTempo(late, compactorReady, observe);
    } finally {
      await observe?.stopTraffic();
    }
  }

  private async checkTempo(late: PlannedProcess[], compactorReady: Promise<string>, observe?: ObservabilityChecks): Promise<void> {
    const { checks, stack, tls } = this;
    const zones = this.zones;
    const rfOne = this.replicationFactor < 2;
    let vultureStarted = 0;
    const startVulture = () => {
      if (stack.startVulture()) vultureStarted = Date.now();
      else checks.skip('vulture', 'the environment renders no tempo-vulture');
    };
    const prometheusCheck = checks.background('span metrics and service graph reach Prometheus', () => this.checkPrometheus());
    const sampledCheck = this.sampledSpanCheck();
    // The crash check spends its first 16 s waiting for a WAL cut: the protocol checks run meanwhile,
    // and with replication factor 1 they must be done before the kill.
    const protocols = this.protocolChecks();
    protocols.catch(() => undefined);
    // Vulture's minute starts once the crashed ingester has replayed its WAL. Writing beside the crash,
    // vulture saw a trace come back with one batch not its own in 3 of 4 runs (never without the crash):
    // an open finding, kept out of this check so that it stays about a stack that is whole again.
    // Zone-aware: every ingester of one zone is killed at once (an availability zone lost), else one.
    const crash = checks.background(zones ? 'zone loss: kill -9 every ingester of a zone after a burst' : 'crash: kill -9 an ingester after a burst', () =>
      checkCrash(this, rfOne ? protocols : Promise.resolve(), startVulture),
    );
    await protocols;
    const generator = byComponent(this.plan, 'metrics-generator')[0];
    const tenantSeries = tenantChecks(this.checks, this.env, this.tenants, {
      distributor: this.base(this.tempo('distributor')),
      frontend: this.frontend,
      generator: generator && this.base(generator),
      prometheus: `http://127.0.0.1:${this.plan.prometheusPort}`,
    });
    tenantSeries.catch(() => undefined);
    await crash;
    // Here, not with the other TLS checks: a planted receiver or ingester fault must fail the protocol checks first.
    const clients = 'TLS: the collector agent and Grafana connect as rendered; a wrong name or no CA is refused';
    if (tls)
      await checks.run(clients, () =>
        checkAgentAndGrafana(this.plan, tls.pki, (tenant) => this.track(makeTrace('collector agent', tenant, columnsOf(this.env, tenant)))),
      );
    else checks.skip(clients, 'the rendered config runs without TLS (tls.enabled: false)');
    await checks.run('flush writes blocks', () => checkFlush(this));
    await checks.run('querier restarted reads the flushed blocks', () => checkQuerierReadsBlocks(this));
    await compactorReady;
    if (tls) await checks.run('TLS: no port of the compactor accepts plaintext', () => checkTransport(this.plan, tls, stack.procs, late));
    await checks.run('compactor merges the copies; no trace lost or duplicated', () => checkCompaction(this));
    // The scrape targets and dashboards overlap the rest of vulture's minute. Not sooner: the querier
    // restart would read as a scrape failure, and the dashboards read the compactor's metrics.
    const healthy = observe?.healthy();
    healthy?.catch(() => undefined);
    await prometheusCheck;
    await sampledCheck;
    await tenantSeries;
    if (vultureStarted) await checks.run(`tempo-vulture for ${this.opts.vultureSeconds} s`, () => this.checkVulture(vultureStarted));
    await healthy;
    if (!observe) return;
    // After vulture's minute: every metric exists by then, and what the crash and restarts left pending has cleared.
    await observe.settled();
    if (this.opts.alertFaults) await observe.alertFaults();
    else
      checks.skip(
        'alert faults (a tenant over its limit, remote write down, an ingester killed, a zone lost)',
        'they run with --alert-faults <env> (.ci/run: once, in the staging run)',
      );
  }

  /** A trace the later checks (flush, querier, compaction) also hold the stack to. */
  private track(t: TestTrace): TestTrace {
    this.pushed.push(t);
    return t;
  }

  /** Every receiver protocol as every tenant; then trace by id, search and TraceQL metrics per tenant. */
  private async protocolChecks(): Promise<void> {
    const { checks } = this;
    const receivers = receiverEndpoints(this.env.tempo);
    for (const r of receivers.filter((x) => !PROTOCOLS.includes(x.key as Protocol)))
      this.notes.push(`receiver ${r.key} is enabled but the e2e does not speak it`);
    const sent: TestTrace[] = [];
    for (const tenant of this.tenants) {
      for (const r of receivers.filter((x) => PROTOCOLS.includes(x.key as Protocol))) {
        await checks.run(`push ${r.key}${as(tenant)}`, async () => {
          const trace = makeTrace(r.key, tenant, columnsOf(this.env, tenant));
          await push(r.key as Protocol, this.serviceAddress('distributor', r.port), [trace], tenant).catch((e: Error) => {
            const podLocal = r.endpoint === undefined || !isWildcardHost(splitHostPort(r.endpoint).host);
            throw podLocal ? new Error(`${e.message} (the receiver binds ${r.endpoint ?? 'localhost (no endpoint set)'}: only its own pod can reach it)`) : e;
          });
          sent.push(trace);
          this.pushed.push(trace);
          return `trace ${trace.traceId}`;
        });
      }
    }
    for (const tenant of this.tenants) {
      const mine = sent.filter((t) => t.tenant === tenant);
      await checks.run(`trace by id (/api/traces, /api/v2/traces)${as(tenant)}`, () => this.checkTraceById(mine, tenant));
      await checks.run(`TraceQL search incl. dedicated columns${as(tenant)}`, () => this.checkSearch(mine, tenant));
      // TraceQL metrics read recent data from the metrics-generator's local blocks.
      if (processorsOf(this.env, tenant).includes('local-blocks'))
        await checks.run(`TraceQL metrics (| rate())${as(tenant)}`, () => this.checkMetricsQuery(tenant));
      else checks.skip(`TraceQL metrics (| rate())${as(tenant)}`, 'the tenant runs no local-blocks processor, which serves recent TraceQL metrics');
    }
    const operators = "the operators' data source reads every tenant at once (X-Scope-OrgID a|b)";
    if (this.tenants[0] === undefined) checks.skip(operators, 'multitenancy is off: one tenant');
    else await checks.run(operators, () => checkOperatorsQuery(this.env, this.frontend, sent));
  }

  private async checkSearch(traces: TestTrace[], tenant: string | undefined): Promise<string> {
    const columns = columnsOf(this.env, tenant).filter((c) => c.type === 'string');
    const t = traces[0];
    expectThat(t, 'no trace was pushed');
    const queries = [
      ...columns.map((c) => `{ ${c.scope}.${c.name} = "${dedicatedValue(t.traceId, c)}" }`),
      `{ resource.service.name = "${GATEWAY}" && span.e2e.trace = "${t.traceId}" } >> { resource.service.name = "${BACKEND}" }`,
    ];
    const end = Math.ceil(Date.now() / 1000) + 60;
    for (const q of queries) {
      let hits: string[] = [];
      try {
        await until(
          'found',
          40_000,
          async () => {
            hits = (await search(this.frontend, { q, start: String(end - 3600), end: String(end), limit: '50' }, tenant)).map((h) => h.traceID);
            return hits.length === 1 && hits[0] === t.traceId ? true : undefined;
          },
          1000,
        );
      } catch (e) {
        throw new Error(`${q}: want exactly trace ${t.traceId}, got ${hits.join(',') || 'nothing'} (${(e as Error).message})`);
      }
    }
    return `${queries.length} queries (${columns.length} dedicated columns) find exactly the trace`;
  }

  private async checkMetricsQuery(tenant: string | undefined): Promise<string> {
    const q = `{ resource.service.name = "${GATEWAY}" } | rate()`;
    const end = Math.ceil(Date.now() / 1000) + 30;
    let last = '';
    await until(
      () => `${q} returned no sample above 0 (last reply: ${last.slice(0, 200)})`,
      40_000,
      async () => {
        const body = await getJson<{ series?: Array<{ samples?: Array<{ value?: number }> }> }>(
          `${this.frontend}/api/metrics/query_range?${new URLSearchParams({ q, start: String(end - 600), end: String(end), step: '15s' })}`,
          tenant,
        );
        last = JSON.stringify(body);
        return (body.series ?? []).some((s) => (s.samples ?? []).some((x) => Number(x.value) > 0)) ? true : undefined;
      },
      1000,
    );
    return `${q} > 0`;
  }

  /** Span metrics count a span 1/sampling.ratio times (sampling-checks.ts), for a tenant the generator runs span-metrics for. */
  private sampledSpanCheck(): Promise<string | undefined> {
    const name = 'sampling: span metrics count a span kept at sampling.ratio 0.25 four times';
    const otlp = receiverEndpoints(this.env.tempo).find((r) => r.key === 'otlp.http');
    const i = this.tenants.findIndex((t) => processorsOf(this.env, t).includes('span-metrics'));
    const tenant = this.tenants[i];
    if (!byComponent(this.plan, 'metrics-generator').length || !otlp || i < 0) {
      this.checks.skip(name, !otlp ? 'the rendered config enables no OTLP/HTTP receiver' : 'no metrics-generator runs span-metrics for any tenant');
      return Promise.resolve(undefined);
    }
    return this.checks.background(name, () =>
      checkSampledSpanMetrics({
        otlpHttp: `${schemeOf(this.plan)}://${this.serviceAddress('distributor', otlp.port)}`,
        tenant,
        prometheus: `http://127.0.0.1:${this.plan.prometheusPort}`,
      }),
    );
  }

  private async checkPrometheus(): Promise<string> {
    const prom = `http://127.0.0.1:${this.plan.prometheusPort}`;
    const labels = this.env.tempo.metrics_generator?.registry?.external_labels ?? {};
    const selector = Object.entries<string>(labels).map(([k, v]) => `${k}="${v}"`);
    const queries = [
      `traces_spanmetrics_calls_total{${[`service="${GATEWAY}"`, ...selector].join(',')}}`,
      `traces_service_graph_request_total{${[`client="${GATEWAY}"`, `server="${BACKEND}"`, ...selector].join(',')}}`,
    ];
    for (const q of queries) {
      await until(
        `Prometheus has no series ${q}`,
        90_000,
        async () => {
          const body = await getJson<{ data?: { result?: unknown[] } }>(`${prom}/api/v1/query?${new URLSearchParams({ query: q })}`);
          return (body.data?.result ?? []).length > 0 ? true : undefined;
        },
        2000,
      );
    }
    return queries.join(' and ');
  }

  private async checkVulture(started: number): Promise<string> {
    const p = byComponent(this.plan, 'vulture')[0]!;
    const remaining = started + this.opts.vultureSeconds * 1000 - Date.now();
    if (remaining > 0) await sleep(remaining);
    const proc = this.stack.proc(p.id);
    expectThat(proc.running, `tempo-vulture exited (${proc.exitCode ?? proc.exitSignal}):\n${proc.tail(8)}`);
    const port = p.ports.get(
      Number(
        p.workload.args
          .find((a) => a.startsWith('-prometheus-listen-address='))
          ?.split(':')
          .pop() ?? 80,
      ),
    );
    const scrape = async () => (await request(`http://127.0.0.1:${port}/metrics`)).text;
    let text = await scrape();
    // Vulture picks the traces it checks at random among those old enough: a minute now and then
    // passes with none picked. Then it gets up to 30 s more, so that the check is never vacuous.
    const extra = Date.now();
    while ((metricValue(text, 'tempo_vulture_trace_total') ?? 0) === 0 && Date.now() - extra < 30_000) {
      await sleep(1000);
      text = await scrape();
    }
    const inspected = metricValue(text, 'tempo_vulture_trace_total') ?? 0;
    const errors = metricValue(text, 'tempo_vulture_error_total') ?? 0;
    const traceErrors = text.split('\n').filter((l) => l.startsWith('tempo_vulture_trace_error_total') && Number(l.split(' ').pop()) > 0);
    expectThat(inspected > 0, `tempo-vulture inspected no trace in ${this.opts.vultureSeconds} + 30 s`);
    expectThat(
      errors === 0 && traceErrors.length === 0,
      `tempo-vulture counted failures: tempo_vulture_error_total ${errors}; ${traceErrors.join('; ')}\n${proc.tail(6)}`,
    );
    const over = Date.now() - extra > 1500 ? ` (it needed ${((Date.now() - extra) / 1000).toFixed(0)} s more to pick one)` : '';
    return `${inspected} traces checked, 0 failures${over}`;
  }
}
