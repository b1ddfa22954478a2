// The e2e of a dual run (migration.tempo3, README "Migrating to Tempo 3: the dual run"): the overlay's two
// stacks on 127.0.0.1 at once, Tempo 2.10.8 and Tempo 3.0.3 with the Kafka fake, against one S3 server and
// bucket. Every trace goes to each endpoint the rendered collector agent config exports to, as the agents
// would; then, each a named check: both stacks return the same traces by id and by TraceQL search, the
// 3.x block-builder writes its RF1 blocks beside the 2.10 ones, the 3.x backend-scheduler plans no job
// (compaction_disabled), and the 3.x tempo-vulture finds no error.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Tempo3Binaries } from './binaries';
import { Bucket } from './bucket';
import { type Checks, expectThat } from './checks';
import { startKafkaFake } from './kafka-fake';
import { type Plan, type PlannedProcess, byComponent, resolveAddress, urlOf } from './plan';
import { sleep, until } from './proc';
import { push } from './push';
import type { Any, RenderedEnvironment } from './rendered';
import { type Stack, waitReady } from './stack';
import { metricValue, metrics, search, waitTraceComplete } from './tempo-api';
import { vultureWithoutErrors } from './tempo3-checks';
import { type TestTrace, makeTrace } from './traces';

/** The overlay's Tempo 3 stack (generators/kustomize/layout.ts: DUAL_RUN_DIR). */
export const DUAL_RUN_DIR = 'tempo3';
export const isDualRun = (root: string, env: string): boolean => existsSync(join(root, 'overlays', env, DUAL_RUN_DIR, 'tempo.yaml'));

/** One build of a dual-run overlay, split by namespace: the 2.10 stack with its files, the 3.x stack with those of tempo3/. */
export function splitDualRun(root: string, both: RenderedEnvironment): { tempo2: RenderedEnvironment; tempo3: RenderedEnvironment } {
  const dir = join(root, 'overlays', both.name, DUAL_RUN_DIR);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const ns3 = (parse(read('kustomization.yaml')) as { namespace: string }).namespace;
  const inNs3 = (o: Any) => o.metadata?.namespace === ns3 || (o.kind === 'Namespace' && o.metadata?.name === ns3);
  const overridesText = read('overrides.yaml');
  return {
    tempo2: { ...both, objects: both.objects.filter((o) => !inNs3(o)) },
    tempo3: { ...both, tempo: parse(read('tempo.yaml')), overridesText, overrides: parse(overridesText) ?? {}, objects: both.objects.filter(inNs3) },
  };
}

interface Side {
  label: string;
  plan: Plan;
  stack: Stack;
}

export class DualRunScenario {
  private readonly bucket: Bucket;
  private readonly pushed: TestTrace[] = [];

  constructor(
    private readonly root: string,
    private readonly tempo2: Side,
    private readonly tempo3: Side,
    private readonly checks: Checks,
    private readonly bin: Tempo3Binaries,
    private readonly vultureSeconds: number,
    private readonly log: (line: string) => void,
  ) {
    this.bucket = new Bucket(tempo2.plan.s3Port, tempo2.stack.bucket, tempo2.plan.s3CaFile);
  }

  private http = (s: Side) => Number(s.plan.env.tempo.server?.http_listen_port ?? 3200);
  private base = (s: Side, p: PlannedProcess) => urlOf(p, this.http(s));
  private one(s: Side, component: string): PlannedProcess {
    const p = byComponent(s.plan, component)[0];
    expectThat(p, `${s.label}: the rendered manifests run no ${component}`);
    return p;
  }
  private frontend(s: Side): string {
    const [a] = resolveAddress(s.plan, `tempo-stack-query-frontend.${s.plan.namespace}.svc.cluster.local:${this.http(s)}`);
    expectThat(a, `${s.label}: no Service reaches the query-frontend`);
    return `http://${a}`;
  }

  async run(): Promise<void> {
    const { checks } = this;
    const [t2, t3] = [this.tempo2, this.tempo3];
    this.log(
      `${t2.plan.env.name}: dual run, ${t2.plan.processes.length} processes in ${t2.plan.namespace} (2.10), ${t3.plan.processes.length} in ${t3.plan.namespace} (3.0)`,
    );
    await t2.stack.startBacking(); // the one S3 server and Prometheus both stacks use
    await checks.run('Kafka fake up, consumer groups seeded', () => this.startKafka());
    const tempo = (s: Side) => s.plan.processes.filter((p) => p.role === 'tempo');
    for (const s of [t2, t3]) for (const p of tempo(s)) s.stack.startTempo(p);
    // The 2.10 compactor is ready after its ring's one-minute stability wait: it runs, nothing here waits for it.
    const waited = (s: Side) => tempo(s).filter((p) => p.component !== 'compactor');
    await checks.run('both stacks ready (the 2.10 compactor runs, not waited for)', async () => {
      const ready = await Promise.all([t2, t3].map((s) => waitReady(s.stack, waited(s), (p) => this.base(s, p), 120_000)));
      return ready.join('; ');
    });
    await checks.run('Tempo 3 partitions ACTIVE', () => this.checkPartitions());
    const vultureStarted = t3.stack.startVulture() ? Date.now() : 0;
    if (!vultureStarted) checks.skip('Tempo 3 tempo-vulture', 'the Tempo 3 stack renders no tempo-vulture');
    await checks.run("push to every distributor the agents' config exports to", () => this.pushBatch());
    await checks.run('trace by id: both stacks return every trace, span for span', () => this.sameById());
    await checks.run('TraceQL search: both stacks find exactly each trace', () => this.sameBySearch());
    await checks.run('Tempo 3 block-builder writes RF1 blocks into the shared bucket', () => this.waitRf1Blocks(1));
    await checks.run('push a second batch (a second block the 3.x stack could compact)', () => this.pushBatch());
    await checks.run('Tempo 3 block-builder writes a second RF1 block', () => this.waitRf1Blocks(2));
    await checks.run('trace by id: both stacks return both batches, span for span (3.x from its blocks too)', () => this.sameById());
    await checks.run('Tempo 3 backend-scheduler plans no compaction or retention (compaction_disabled)', () => this.noSchedulerJobs());
    if (vultureStarted)
      await checks.run(`Tempo 3 tempo-vulture for ${this.vultureSeconds} s without errors`, () =>
        vultureWithoutErrors(t3.plan, t3.stack, vultureStarted, this.vultureSeconds),
      );
  }

  private async startKafka(): Promise<string> {
    const env = this.tempo3.plan.env;
    const topic: string = env.tempo.ingest.kafka.topic;
    const partitions = Number(env.objects.find((o) => o.kind === 'KafkaTopic')?.spec?.partitions ?? 1);
    const groups = ['block-builder', ...byComponent(this.tempo3.plan, 'live-store').map((p) => p.workload.name)];
    await startKafkaFake(this.tempo3.stack, this.bin, this.tempo3.plan.kafkaPort, topic, partitions, groups);
    return `topic ${topic} with ${partitions} partition(s); groups ${groups.join(', ')}`;
  }

  private async checkPartitions(): Promise<string> {
    const distributor = this.base(this.tempo3, this.one(this.tempo3, 'distributor'));
    let active = 0;
    await until(
      () => `the 3.x distributor sees ${active} livestore-partitions Active`,
      90_000,
      async () => {
        active = metricValue(await metrics(distributor), 'tempo_partition_ring_partitions', { name: 'livestore-partitions', state: 'Active' }) ?? 0;
        return active >= 1 ? true : undefined;
      },
      1000,
    );
    return `${active} partition(s) Active`;
  }

  /** The rendered agent config's exporters to distributors, each resolved to the loopback stack its namespace names. */
  private exportTargets(): Array<{ exporter: string; address: string; side: Side }> {
    const config = parse(readFileSync(join(this.root, 'overlays', this.tempo2.plan.env.name, 'collector.yaml'), 'utf8')) as Any;
    const pipeline: string[] = config.service.pipelines.traces.exporters;
    return pipeline.map((exporter) => {
      const endpoint: string = config.exporters[exporter].endpoint;
      const side = [this.tempo2, this.tempo3].find((s) => endpoint.includes(`.${s.plan.namespace}.svc.`));
      expectThat(side, `exporter ${exporter}: ${endpoint} is in neither stack's namespace`);
      const [address] = resolveAddress(side.plan, endpoint);
      expectThat(address, `exporter ${exporter}: no Service of ${side.label} answers ${endpoint}`);
      return { exporter, address, side };
    });
  }

  private async pushBatch(): Promise<string> {
    const targets = this.exportTargets();
    expectThat(
      [this.tempo2, this.tempo3].every((s) => targets.some((t) => t.side === s)),
      `the agents export to ${targets.map((t) => t.side.label).join(', ')}; a dual run writes to both stacks`,
    );
    const traces = [0, 1, 2, 3, 4].map(() => makeTrace('otlp.grpc', undefined, []));
    for (const t of targets) await push('otlp.grpc', t.address, traces, undefined);
    this.pushed.push(...traces);
    return `${traces.length} traces to ${targets.map((t) => `${t.exporter} (${t.side.label})`).join(' and ')}`;
  }

  private async sameById(): Promise<string> {
    for (const t of this.pushed) for (const s of [this.tempo2, this.tempo3]) await waitTraceComplete(this.frontend(s), t, 60_000, `${s.label}: `);
    return `${this.pushed.length} traces, each complete from both query-frontends`;
  }

  private async sameBySearch(): Promise<string> {
    const end = Math.ceil(Date.now() / 1000) + 60;
    for (const t of this.pushed)
      for (const s of [this.tempo2, this.tempo3]) {
        const q = `{ span.e2e.trace = "${t.traceId}" }`;
        await until(
          `${s.label}: ${q} did not find exactly its trace`,
          60_000,
          async () => {
            const hits = await search(this.frontend(s), { q, start: String(end - 3600), end: String(end), limit: '20' });
            return hits.length === 1 && hits[0]!.traceID === t.traceId ? true : undefined;
          },
          1000,
        );
      }
    return `${this.pushed.length} traces, each found alone by TraceQL in both stacks`;
  }

  private async waitRf1Blocks(atLeast: number): Promise<string> {
    const prefix: string = this.tempo3.plan.env.tempo.storage?.trace?.s3?.prefix ?? '';
    let rf1 = 0;
    let rf3 = 0;
    await until(
      () => `RF1 blocks: ${rf1} of ${atLeast}`,
      120_000,
      async () => {
        const blocks = await this.bucket.blocks(prefix);
        rf1 = blocks.filter((b) => b.replicationFactor === 1).length;
        rf3 = blocks.filter((b) => b.replicationFactor !== 1).length;
        return rf1 >= atLeast ? true : undefined;
      },
      1000,
    );
    return `${rf1} RF1 block(s) from the 3.x block-builder, ${rf3} RF3 block(s) from the 2.10 ingesters, under ${prefix || '(no prefix)'}/`;
  }

  /**
   * Two blocks to compact, the scheduler's blocklist showing them, and three of its 5 s measure cycles
   * (tests/e2e/loopback.ts): with compaction_disabled it skips the tenant before creating any job
   * (provider/compaction.go and retention.go at v3.0.3); without, the Tempo 3 run compacts them here.
   */
  private async noSchedulerJobs(): Promise<string> {
    const scheduler = this.base(this.tempo3, this.one(this.tempo3, 'backend-scheduler'));
    const worker = this.base(this.tempo3, this.one(this.tempo3, 'backend-worker'));
    let seen = 0;
    await until(
      () => `the 3.x backend-scheduler's blocklist shows ${seen} block(s), want 2`,
      60_000,
      async () => {
        seen = metricValue(await metrics(scheduler), 'tempodb_blocklist_length') ?? 0;
        return seen >= 2 ? true : undefined;
      },
      1000,
    );
    const watched = Date.now();
    while (Date.now() - watched < 15_000) {
      const created = (await metrics(scheduler))
        .split('\n')
        .filter((l) => /^tempo_backend_scheduler_(jobs_created_total|compaction_jobs_created_total)\b/.test(l))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      expectThat(
        created === 0,
        `the 3.x backend-scheduler created ${created} job(s) on the shared bucket; expected none (compaction_disabled: 2.10's compactor owns compaction and retention)`,
      );
      const ran = metricValue(await metrics(worker), 'tempo_backend_worker_jobs_total') ?? 0;
      expectThat(ran === 0, `the 3.x backend-worker ran ${ran} job(s) on the shared bucket; expected none (compaction_disabled)`);
      await sleep(2500);
    }
    return `the scheduler's blocklist holds ${seen} blocks; 0 jobs created, 0 run, over 15 s (three measure cycles)`;
  }
}
