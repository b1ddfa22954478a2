// What every part of one Tempo 2 e2e run shares: the rendered environment, its plan and stack, the checks,
// the traces pushed so far, and the helpers that address the stack as its pods would (Services, rings).
import { Bucket } from './bucket';
import { CheckFailed, type Checks, expectThat } from './checks';
import { byComponent, resolveAddress, receiverEndpoints, urlOf, type Plan, type PlannedProcess } from './plan';
import { until } from './proc';
import type { RenderedEnvironment } from './rendered';
import { type Stack, waitReady } from './stack';
import { request, ringMembers, spansOf } from './tempo-api';
import { SINGLE_TENANT, configuredTenants, multitenancy } from './tenants';
import { spanIds, type TestTrace } from './traces';
import { services, selects } from './topology';
import { type TlsRun, schemeOf } from './tls';
import { checkRingZones, ingesterZones } from './zones';

export interface E2EOptions {
  root: string;
  env: string;
  /** A fault from faults.ts to plant in the rendered environment first. */
  plant?: string;
  /** How long tempo-vulture runs against the stack. */
  vultureSeconds: number;
  /** Run the alert faults (alert-faults.ts) after the healthy observability checks; CI runs them once. */
  alertFaults: boolean;
  /** Why this run leaves out the observability checks (a scenario whose point is elsewhere); printed as the skip. */
  skipObservability?: string;
  /** Keep the run's directory (configs, logs, bucket) for a look afterwards. */
  keep: boolean;
  log: (line: string) => void;
}

/** A tenant the environment does not name: Tempo must take it as well when multitenancy is on. */
export const UNNAMED_TENANT = 'e2e-unnamed-tenant';

/** Runs `fn` over the items, at most `width` at a time; the first failure rejects. */
export async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** A Go duration of the config (5s, 1m30s, 250ms) in milliseconds. */
export function durationMs(d: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...String(d).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length) throw new Error(`not a duration: ${d}`);
  return parts.reduce((n, [, v, u]) => n + Number(v) * units[u!]!, 0);
}

export const as = (tenant: string | undefined) => (tenant ? ` as ${tenant}` : '');
export const tenantDir = (tenant: string | undefined) => tenant ?? SINGLE_TENANT;

export class RunContext {
  readonly bucket: Bucket;
  readonly tenants: Array<string | undefined>;
  readonly pushed: TestTrace[] = [];
  readonly httpPort: number;
  readonly prefix: string;
  flushedAt = 0;
  /** Per tenant directory, the blocks the flush check saw: the compaction check waits until all are compacted. */
  readonly flushedBlocks = new Map<string, Set<string>>();

  constructor(
    readonly env: RenderedEnvironment,
    readonly plan: Plan,
    readonly stack: Stack,
    readonly checks: Checks,
    readonly opts: E2EOptions,
    readonly notes: string[],
    readonly tls?: TlsRun,
  ) {
    this.bucket = new Bucket(plan.s3Port, stack.bucket, plan.s3CaFile);
    this.tenants = multitenancy(env) ? [...configuredTenants(env), UNNAMED_TENANT] : [undefined];
    this.httpPort = Number(env.tempo.server?.http_listen_port ?? 3200);
    this.prefix = env.tempo.storage?.trace?.s3?.prefix ?? '';
  }

  get ingesters() {
    return byComponent(this.plan, 'ingester');
  }
  tempo(component: string): PlannedProcess {
    const p = byComponent(this.plan, component)[0];
    if (!p) throw new CheckFailed('plan', `the rendered manifests run no ${component}`);
    return p;
  }
  base(p: PlannedProcess) {
    return urlOf(p, this.httpPort, schemeOf(this.plan));
  }
  /** Ingester processes by the zone they announce, when the ring is zone-aware (zones.ts). */
  get zones(): Map<string, PlannedProcess[]> | undefined {
    return ingesterZones(this.env.tempo, this.ingesters);
  }
  checkZonedRing(zones: Map<string, PlannedProcess[]>): Promise<string> {
    return checkRingZones(this.base(this.tempo('distributor')), zones, this.replicationFactor);
  }
  get replicationFactor(): number {
    return Number(this.env.tempo.ingester?.lifecycler?.ring?.replication_factor ?? 1);
  }

  /** A Service of the stack that exposes `port` on pods of `component`, resolved as cluster DNS would. */
  serviceAddress(component: string, port: number): string {
    const target = this.tempo(component);
    const svc = services(this.env.objects).find((s) => selects(s, target.workload.podLabels) && s.ports.some((p) => p.port === port));
    if (!svc) throw new Error(`no Service exposes port ${port} of the ${component}: other pods cannot reach it`);
    const [address] = resolveAddress(this.plan, `${svc.name}.${svc.namespace}.svc.cluster.local:${port}`);
    if (!address) throw new Error(`Service ${svc.name}:${port} has no endpoint (selector or targetPort matches no ${component} port)`);
    return address;
  }

  get frontend(): string {
    return `${schemeOf(this.plan)}://${this.serviceAddress('query-frontend', this.httpPort)}`;
  }

  async waitReady(procs: PlannedProcess[], timeoutMs: number): Promise<string> {
    return waitReady(this.stack, procs, (p) => this.base(p), timeoutMs);
  }

  unresolvedHint(): string {
    const u = this.stack.unresolved;
    return u.length
      ? `; in-cluster addresses that name no reachable Service: ${u
          .map((x) => `${x.process} ${x.path}=${x.address}`)
          .slice(0, 4)
          .join('; ')}`
      : '';
  }

  async checkRing(): Promise<string> {
    const distributor = this.tempo('distributor');
    const want = this.ingesters.length;
    let seen: Array<{ id: string; state: string }> = [];
    try {
      await until(
        'ring',
        30_000,
        async () => {
          seen = await ringMembers(this.base(distributor), '/ingester/ring');
          return seen.filter((m) => m.state === 'ACTIVE').length === want ? true : undefined;
        },
        500,
      );
    } catch {
      throw new Error(
        `the distributor sees ${seen.filter((m) => m.state === 'ACTIVE').length} of ${want} ingesters ACTIVE (${seen.map((m) => `${m.id}=${m.state}`).join(', ') || 'empty ring'})${this.unresolvedHint()}`,
      );
    }
    const generators = byComponent(this.plan, 'metrics-generator').length;
    if (generators) {
      const g = await ringMembers(this.base(distributor), '/metrics-generator/ring').catch(() => []);
      expectThat(
        g.filter((m) => m.state === 'ACTIVE').length === generators,
        `the distributor sees ${g.length} metrics-generators in their ring, want ${generators} ACTIVE${this.unresolvedHint()}`,
      );
    }
    return `${want} ingesters ACTIVE${generators ? `, ${generators} metrics-generator` : ''}`;
  }

  /** Polls trace by id until every pushed span is there (and nothing else); both API versions. */
  async checkTraceById(traces: TestTrace[], tenant: string | undefined, apis = ['/api/traces', '/api/v2/traces']): Promise<string> {
    const base = this.frontend;
    await inParallel(traces, 8, async (t) => {
      for (const path of apis.map((api) => `${api}/${t.traceId}`)) {
        let got: string[] = [];
        try {
          await until(
            'complete',
            20_000,
            async () => {
              const r = await request(`${base}${path}`, { tenant, headers: { Accept: 'application/json' } });
              if (r.status === 404) return undefined;
              if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
              got = spansOf(JSON.parse(r.text))
                .map((s) => s.spanId)
                .sort();
              return JSON.stringify(got) === JSON.stringify(spanIds(t)) ? true : undefined;
            },
            500,
          );
        } catch (e) {
          throw new Error(`${path}: want spans ${spanIds(t).join(',')} (pushed by ${t.protocol}), got ${got.join(',') || 'none'} (${(e as Error).message})`);
        }
      }
    });
    return `${traces.length} traces complete by ${apis.join(' and ')}`;
  }

  tenantBlocks(tenant: string | undefined) {
    return this.bucket.blocks(this.prefix).then((all) => all.filter((b) => b.tenant === tenantDir(tenant)));
  }

  otlpGrpcAddress(): string {
    const otlp = receiverEndpoints(this.env.tempo).find((r) => r.key === 'otlp.grpc');
    if (!otlp) throw new Error('the rendered config enables no OTLP gRPC receiver (the e2e pushes its bursts with it)');
    return this.serviceAddress('distributor', otlp.port);
  }
}
