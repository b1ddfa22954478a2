// The e2e of a Tempo 3 environment (its tempo.yaml has ingest.kafka): every target of the rendered
// manifests on 127.0.0.1 with franz-go's Kafka fake, then, each a named check: the partitions Active, a
// push as every configured tenant, trace by id, TraceQL search, blocks written by the block-builder,
// compaction done by the backend-worker, TraceQL metrics, span metrics in Prometheus, the scrape, every
// dashboard, rule and alert as on 2.10 (observability.ts), kill -9 of one live-store zone with reads still
// complete (TempoTargetDown pending), tempo-vulture with zero errors, and with --alert-faults the faults a
// 3.x stack has (alert-faults.ts).
import type { Tempo3Binaries } from './binaries';
import { Bucket, type ListedBlock } from './bucket';
import { type Checks, expectThat } from './checks';
import { byComponent, resolveAddress, type Plan, type PlannedProcess, urlOf } from './plan';
import { startKafkaFake } from './kafka-fake';
import { checkTransport3, spanMetricsInPrometheus, tempo3DashboardSeries, vultureWithoutErrors } from './tempo3-checks';
import { ObservabilityChecks } from './observability';
import { until } from './proc';
import { push } from './push';
import type { RenderedEnvironment } from './rendered';
import { type Stack, waitReady } from './stack';
import { getJson, metricValue, metrics, search, waitTraceComplete } from './tempo-api';
import { SINGLE_TENANT, configuredTenants, multitenancy } from './tenants';
import { type TlsRun, prepareTls, schemeOf } from './tls';
import { checkAgentAndGrafana } from './tls-clients';
import { GATEWAY, makeTrace, sharedSpanTime, type TestTrace } from './traces';
import { selects, services } from './topology';

export { VULTURE_PACING_3, isTempo3 } from './kafka-fake';

const as = (tenant: string | undefined) => (tenant ? ` as ${tenant}` : '');

export class Tempo3Scenario {
  private readonly bucket: Bucket;
  private readonly tenants: Array<string | undefined>;
  private readonly pushed: TestTrace[] = [];
  private spanTime: number | undefined;
  private readonly http: number;
  private readonly prefix: string;
  /** The run's certificates when the rendered config serves TLS (tests/e2e/tls.ts, as for 2.10). */
  private readonly tls: TlsRun | undefined;

  constructor(
    private readonly env: RenderedEnvironment,
    private readonly plan: Plan,
    private readonly stack: Stack,
    private readonly checks: Checks,
    private readonly bin: Tempo3Binaries,
    private readonly vultureSeconds: number,
    private readonly log: (line: string) => void,
    /** --alert-faults: the faults of alert-faults.ts a 3.x stack has (a tenant over its limit, remote write down). */
    private readonly alertFaults = false,
  ) {
    this.bucket = new Bucket(plan.s3Port, stack.bucket, plan.s3CaFile);
    const named = configuredTenants(env);
    this.tenants = multitenancy(env) ? (named.length ? named : [SINGLE_TENANT]) : [undefined];
    this.http = Number(env.tempo.server?.http_listen_port ?? 3200);
    this.prefix = env.tempo.storage?.trace?.s3?.prefix ?? '';
    this.tls = prepareTls(plan);
  }

  private one(component: string): PlannedProcess {
    const p = byComponent(this.plan, component)[0];
    expectThat(p, `the rendered manifests run no ${component}`);
    return p;
  }
  private base = (p: PlannedProcess) => urlOf(p, this.http, schemeOf(this.plan));
  private address(component: string, port: number): string {
    const target = this.one(component);
    const svc = services(this.env.objects).find((s) => selects(s, target.workload.podLabels) && s.ports.some((x) => x.port === port));
    const [a] = svc ? resolveAddress(this.plan, `${svc.name}.${svc.namespace}.svc.cluster.local:${port}`) : [];
    expectThat(a, `no Service reaches port ${port} of the ${component}`);
    return a;
  }
  private get frontend() {
    return `${schemeOf(this.plan)}://${this.address('query-frontend', this.http)}`;
  }
  private get topicPartitions(): number {
    const topic = this.env.objects.find((o) => o.kind === 'KafkaTopic');
    return Number(topic?.spec?.partitions ?? 1);
  }

  async run(): Promise<void> {
    const { checks, stack, plan } = this;
    const liveStores = byComponent(plan, 'live-store');
    this.log(
      `${this.env.name}: Tempo 3, ${plan.processes.length} processes, ${liveStores.length} live-store zones, tenants: ${this.tenants.map((t) => t ?? SINGLE_TENANT).join(', ')}`,
    );
    await stack.startBacking();
    await checks.run('Kafka fake up, consumer groups seeded', () => this.startKafka(liveStores));
    const tempo = plan.processes.filter((p) => p.role === 'tempo');
    for (const p of tempo) stack.startTempo(p);
    await checks.run('ready', () => this.waitReady(tempo, 90_000));
    const tls = this.tls;
    const transport = 'TLS: no port of Tempo or memcached accepts plaintext (Kafka stays plaintext: 3.0.3 has no Kafka TLS)';
    if (tls) await checks.run(transport, () => checkTransport3(plan, tls, stack.procs));
    else checks.skip(transport, 'the rendered config runs without TLS (tls.enabled: false)');
    await checks.run('partitions ACTIVE on the distributor and owned by the block-builder', () => this.checkPartitions());
    const clients = 'TLS: the collector agent and Grafana connect as rendered; a wrong name or no CA is refused';
    if (tls) await checks.run(clients, () => checkAgentAndGrafana(plan, tls.pki, (tenant) => makeTrace('collector agent', tenant, []), 60_000));
    else checks.skip(clients, 'the rendered config runs without TLS (tls.enabled: false)');
    const prometheus = checks.background('span metrics reach Prometheus', () => this.checkPrometheus());
    let vultureStarted = 0;
    if (stack.startVulture()) vultureStarted = Date.now();
    else checks.skip('tempo-vulture', 'the environment renders no tempo-vulture');
    const first = await this.pushBatch('push (OTLP gRPC through the distributor Service)');
    for (const tenant of this.tenants) {
      const mine = first.filter((t) => t.tenant === tenant);
      await checks.run(`trace by id${as(tenant)}`, () => this.traceById(mine, tenant, 60_000));
      await checks.run(`TraceQL search${as(tenant)}`, () => this.search(mine, tenant));
    }
    await checks.run('block-builder writes blocks', () => this.waitBlocks(1));
    await this.pushBatch('push a second batch (a second block to compact)');
    await checks.run('backend-worker compacts the blocks (jobs from the backend-scheduler)', () => this.checkCompaction());
    // The scrape, every dashboard, the rules and alerts as on 2.10 (observability.ts), with traffic flowing.
    const observe = new ObservabilityChecks(this.env, plan, stack, checks, this.frontend);
    observe.startTraffic();
    try {
      for (const tenant of this.tenants) await checks.run(`TraceQL metrics (| rate())${as(tenant)}`, () => this.metricsQuery(tenant));
      await checks.run('reads complete after compaction', () => this.traceById(this.pushed, undefined, 60_000));
      await checks.run('dashboards: every query of Tempo / Tempo 3 ingest returns series', () => tempo3DashboardSeries(plan, this.env));
      await observe.healthy();
      await observe.settled();
      await checks.run('kill -9 one live-store zone: reads stay complete', () => this.killZone(liveStores));
      await observe.killed(liveStores[0]!);
      await prometheus;
      if (vultureStarted) await checks.run(`tempo-vulture for ${this.vultureSeconds} s`, () => this.checkVulture(vultureStarted));
      // After vulture's minute: a tenant over its limit refuses vulture's writes too.
      if (this.alertFaults) await observe.alertFaults();
    } finally {
      await observe.stopTraffic();
    }
  }

  private async startKafka(liveStores: PlannedProcess[]): Promise<string> {
    const topic: string = this.env.tempo.ingest.kafka.topic;
    // The groups that fetch offsets before they commit: the block-builder and one per live-store zone.
    const groups = ['block-builder', ...liveStores.map((p) => p.workload.name)];
    await startKafkaFake(this.stack, this.bin, this.plan.kafkaPort, topic, this.topicPartitions, groups);
    return `topic ${topic} with ${this.topicPartitions} partition(s); groups ${groups.join(', ')}`;
  }

  private async waitReady(procs: PlannedProcess[], timeoutMs: number): Promise<string> {
    return waitReady(this.stack, procs, (p) => this.base(p), timeoutMs);
  }

  private async checkPartitions(): Promise<string> {
    const want = this.topicPartitions;
    const distributor = this.base(this.one('distributor'));
    const builder = this.base(this.one('block-builder'));
    let active = 0;
    await until(
      () => `the distributor sees ${active} of ${want} livestore-partitions Active`,
      120_000,
      async () => {
        active = metricValue(await metrics(distributor), 'tempo_partition_ring_partitions', { name: 'livestore-partitions', state: 'Active' }) ?? 0;
        return active >= want ? true : undefined;
      },
      1000,
    );
    let owned = 0;
    await until(
      () => `the block-builder owns ${owned} Active partition(s)`,
      120_000,
      async () => {
        const text = await metrics(builder);
        owned = text.split('\n').filter((l) => /^tempo_block_builder_owned_partitions\{.*state="[A-Za-z]*Active".*\} 1$/.test(l)).length;
        return owned >= 1 ? true : undefined;
      },
      1000,
    );
    return `${active} partition(s) Active; the block-builder owns ${owned}`;
  }

  private async pushBatch(name: string): Promise<TestTrace[]> {
    const sent: TestTrace[] = [];
    this.spanTime = sharedSpanTime(this.spanTime);
    for (const tenant of this.tenants) {
      await this.checks.run(`${name}${as(tenant)}`, async () => {
        const traces = [0, 1, 2].map(() => makeTrace('otlp.grpc', tenant, [], this.spanTime));
        await push('otlp.grpc', this.address('distributor', 4317), traces, tenant);
        sent.push(...traces);
        return `${traces.length} traces`;
      });
    }
    this.pushed.push(...sent);
    return sent;
  }

  private async traceById(traces: TestTrace[], only: string | undefined, timeoutMs: number): Promise<string> {
    for (const t of traces.filter((x) => only === undefined || x.tenant === only)) await waitTraceComplete(this.frontend, t, timeoutMs);
    return `${traces.length} traces complete by /api/v2/traces`;
  }

  private async search(traces: TestTrace[], tenant: string | undefined): Promise<string> {
    for (const t of traces) {
      const q = `{ span.e2e.trace = "${t.traceId}" }`;
      const end = Math.ceil(Date.now() / 1000) + 60;
      await until(
        `${q}${as(tenant)} did not find exactly its trace`,
        60_000,
        async () => {
          const hits = await search(this.frontend, { q, start: String(end - 3600), end: String(end), limit: '20' }, tenant);
          return hits.length === 1 && hits[0]!.traceID === t.traceId ? true : undefined;
        },
        1000,
      );
    }
    return `${traces.length} traces found by TraceQL (start/end)`;
  }

  private tenantDirs = () => [...new Set(this.pushed.map((t) => t.tenant ?? SINGLE_TENANT))];

  private async waitBlocks(atLeast: number): Promise<string> {
    let counts: string[] = [];
    await until(
      () => `blocks per tenant: ${counts.join(', ')}`,
      120_000,
      async () => {
        const blocks = await this.bucket.blocks(this.prefix);
        counts = this.tenantDirs().map((t) => `${t} ${blocks.filter((b) => b.tenant === t && !b.compacted).length}`);
        return this.tenantDirs().every((t) => blocks.filter((b) => b.tenant === t).length >= atLeast) ? true : undefined;
      },
      1000,
    );
    const blocks = await this.bucket.blocks(this.prefix);
    expectThat(
      blocks.every((b) => b.replicationFactor === 1),
      'a block without replication factor 1: not the block-builder',
    );
    return `${counts.join(', ')} block(s) with replication factor 1 under ${this.prefix || '(no prefix)'}/`;
  }

  private async checkCompaction(): Promise<string> {
    await this.waitBlocks(2);
    const scheduler = this.base(this.one('backend-scheduler'));
    const tenant = this.tenantDirs()[0]!;
    let done = 0;
    const under = [this.prefix, tenant].filter(Boolean).join('/');
    let blocks: ListedBlock[] = [];
    // The selector merges blocks that end in one compaction window: the message shows where they end.
    const ends = () => blocks.map((b) => `L${b.compactionLevel}${b.compacted ? ' compacted' : ''} ending ${b.endTime}`).join(', ');
    await until(
      () => `no compaction job completed for ${tenant}; its blocks: ${ends()}`,
      180_000,
      async () => {
        done = metricValue(await metrics(scheduler), 'tempo_backend_scheduler_jobs_completed_total', { job_type: 'JOB_TYPE_COMPACTION', tenant }) ?? 0;
        blocks = await this.bucket.blocks(under);
        return done > 0 ? true : undefined;
      },
      1000,
    );
    blocks = await this.bucket.blocks(under);
    const merged = blocks.filter((b) => b.compactionLevel >= 1 && !b.compacted);
    expectThat(merged.length > 0 && blocks.some((b) => b.compacted), `no compacted block: ${ends()}`);
    return `${done} compaction job(s) for ${tenant}; ${merged.length} merged block(s) holding ${merged.reduce((n, b) => n + b.totalObjects, 0)} traces`;
  }

  private async metricsQuery(tenant: string | undefined): Promise<string> {
    const q = `{ resource.service.name = "${GATEWAY}" } | rate()`;
    const end = Math.ceil(Date.now() / 1000);
    await until(
      `${q} returned no sample above 0`,
      60_000,
      async () => {
        const body = await getJson<{ series?: Array<{ samples?: Array<{ value?: number }> }> }>(
          `${this.frontend}/api/metrics/query_range?${new URLSearchParams({ q, start: String(end - 600), end: String(end + 30), step: '30s' })}`,
          tenant,
        );
        return (body.series ?? []).some((s) => (s.samples ?? []).some((x) => Number(x.value) > 0)) ? true : undefined;
      },
      1000,
    );
    return `${q} > 0`;
  }

  private async killZone(liveStores: PlannedProcess[]): Promise<string> {
    expectThat(liveStores.length >= 2, `${liveStores.length} live-store zone(s): nothing is left when one dies`);
    const victim = liveStores[0]!;
    await this.stack.proc(victim.id).kill9();
    const started = Date.now();
    await this.traceById(this.pushed, undefined, 30_000);
    for (const tenant of this.tenants) await this.search(this.pushed.filter((t) => t.tenant === tenant).slice(-1), tenant);
    const after = await this.pushBatch(`push with ${victim.id} down`);
    await this.traceById(after, undefined, 60_000);
    return `${victim.id} killed: all ${this.pushed.length} traces complete and searchable in ${((Date.now() - started) / 1000).toFixed(1)} s, a new batch too`;
  }

  private checkPrometheus(): Promise<string> {
    return spanMetricsInPrometheus(this.plan, this.env, this.tenants);
  }

  private checkVulture(started: number): Promise<string> {
    return vultureWithoutErrors(this.plan, this.stack, started, this.vultureSeconds);
  }
}
