// Monthly cost estimate of one environment (`npm run cost`): S3 storage from ingest, retention and
// compression, S3 requests from Tempo's write and poll cadence plus a query assumption, and compute from
// the requests the workloads render. Offline: every price is a documented default, overridable by flag.
import type { Environment } from './environment/index';
import { SINGLE_TENANT, WILDCARD_TENANT, settingsOf, tenantBlocks, unnamedTenantSettings } from './environment/tenants';
import { Quantity } from './environment/units';
import { isKind } from './kubernetes/objects';
import { renderEnvironment } from './render';
import { CROSS_AZ_ASSUMPTIONS, crossAz } from './cost-zones';

export interface Assumption {
  key: string;
  /** The command-line flag that overrides it (--<flag> N). */
  flag: string;
  value: number;
  unit: string;
  source: string;
}

const SEED = 'the original design (seed), "Cost Optimization"';
export const ASSUMPTIONS: readonly Assumption[] = [
  {
    key: 'ingestGbPerDay',
    flag: 'ingest-gb-per-day',
    value: 1000 / 30,
    unit: 'GB/day',
    source:
      "the seed's example: 1 TB of traces a month, what the applications send before sampling; measure: sum(increase(tempo_distributor_bytes_received_total[1d])) divided by the share sampling keeps",
  },
  {
    key: 'compressionRatio',
    flag: 'compression-ratio',
    value: 0.25,
    unit: 'stored GB per ingested GB',
    source: 'assumption for parquet blocks; measure: S3 BucketSizeBytes / (retention days x daily ingest)',
  },
  { key: 'queriesPerDay', flag: 'queries-per-day', value: 2000, unit: 'queries/day', source: 'assumption (searches and trace lookups)' },
  {
    key: 'getsPerQuery',
    flag: 'gets-per-query',
    value: 200,
    unit: 'GET/query',
    source: 'assumption (bloom filters, footers, column chunks); measure: tempodb_backend_request_duration_seconds_count',
  },
  { key: 's3GbMonth', flag: 's3-gb-month', value: 0.023, unit: '$/GB-month', source: SEED },
  { key: 's3PutPer1000', flag: 's3-put-per-1000', value: 0.005, unit: '$/1000 PUT, COPY, POST, LIST', source: SEED },
  { key: 's3GetPer1000', flag: 's3-get-per-1000', value: 0.0004, unit: '$/1000 GET', source: SEED },
  {
    key: 'vcpuHour',
    flag: 'vcpu-hour',
    value: 0.04048,
    unit: '$/vCPU-hour',
    source: 'AWS Fargate us-east-1 on-demand (the seed only says "~$300/month (EKS nodes)")',
  },
  { key: 'memoryGbHour', flag: 'memory-gb-hour', value: 0.004445, unit: '$/GiB-hour', source: 'AWS Fargate us-east-1 on-demand' },
  { key: 'ebsGbMonth', flag: 'ebs-gb-month', value: 0.08, unit: '$/GB-month', source: 'EBS gp3 us-east-1' },
  ...CROSS_AZ_ASSUMPTIONS,
  {
    key: 'alwaysKeptPercent',
    flag: 'always-kept-percent',
    value: 2,
    unit: '% of traces',
    source: 'assumption: errors and slow traces, which the tail-sampling gateway keeps whatever the percentage',
  },
];
export type Assumptions = Record<string, number>;
export const defaultAssumptions = (): Assumptions => Object.fromEntries(ASSUMPTIONS.map((a) => [a.key, a.value]));

/**
 * The share of what applications send that reaches Tempo. The agents keep sampling.percentage of the
 * traces (per-service percentages are not weighted: the estimate does not know each service's traffic);
 * the tail-sampling gateway also keeps every error and slow trace.
 */
export function keptShare(env: Environment, a: Assumptions): number {
  const p = env.sampling.percentage / 100;
  return env.sampling.tail.enabled ? p + (1 - p) * (a.alwaysKeptPercent! / 100) : p;
}
// Tempo 2.10 defaults this stack keeps (tempo-config.ts sets none of them).
const DAYS_PER_MONTH = 730 / 24;
const HOURS_PER_MONTH = 730;
const BLOCKS_PER_INGESTER_DAY = 48; // ingester.max_block_duration 30m: a block per tenant every half hour
const BLOCKS_PER_PARTITION_DAY = 288; // Tempo 3: block_builder.consume_cycle_duration 5m, a block per partition and tenant
const OBJECTS_PER_BLOCK = 3; // data.parquet, bloom-0, meta.json
const POLLS_PER_MONTH = 12 * HOURS_PER_MONTH; // storage.trace.blocklist_poll 5m
const CHUNK_MIB = 16; // one multipart part or ranged read per 16 MiB moved
const COMPACTION_PASSES = 2; // each block is rewritten about twice before it reaches its final size

export interface CostLine {
  item: string;
  quantity: string;
  dollars: number;
}

const round = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * Who keeps blocks how long: without multitenancy single-tenant alone; with it each tenant named in
 * limits.tenants and, as one more share, every other tenant. The estimate splits ingest evenly between them.
 */
export function retentionShares(env: Environment): Array<{ who: string; days: number }> {
  if (!env.features.multitenancy) return [{ who: SINGLE_TENANT, days: settingsOf(env, SINGLE_TENANT).retention.days }];
  const named = tenantBlocks(env).filter((b) => b.tenant !== WILDCARD_TENANT);
  return [...named.map((b) => ({ who: b.tenant, days: b.settings.retention.days })), { who: 'other tenants', days: unnamedTenantSettings(env).retention.days }];
}

/** The retention a GB of ingest gets on average (days), and how the tenants make it up when they differ. */
export function retentionDays(env: Environment): { days: number; detail: string } {
  const shares = retentionShares(env);
  const days = shares.reduce((sum, s) => sum + s.days, 0) / shares.length;
  if (shares.every((s) => s.days === shares[0]!.days)) return { days, detail: '' };
  return { days, detail: `on average: ${shares.map((s) => `${s.who} ${round(s.days, 2)}`).join(', ')}, ingest split evenly` };
}

export function estimate(env: Environment, a: Assumptions): CostLine[] {
  const retention = retentionDays(env);
  const kept = keptShare(env, a);
  const storedPerDay = a.ingestGbPerDay! * kept * a.compressionRatio!;
  const tenants = retentionShares(env).length;
  // Tempo 3: block-builders write one copy (RF1) per partition and tenant every 5m; 2.10: each ingester its copy every 30m.
  const tempo3 = env.tempo.version === '3.0';
  const rf = tempo3 ? 1 : env.tempo.replicationFactor;

  // Deleted blocks stay as noncurrent versions for noncurrentVersionDays (the bucket is versioned).
  const storedGb = storedPerDay * (retention.days + env.s3.lifecycle.noncurrentVersionDays);
  // Ingesters each flush their copy (replication factor); the compactor merges them and rewrites.
  const writtenGbMonth = storedPerDay * DAYS_PER_MONTH * (rf + COMPACTION_PASSES);
  const blocksMonth = tempo3
    ? env.components['live-store'].replicas * tenants * BLOCKS_PER_PARTITION_DAY * DAYS_PER_MONTH
    : env.components.ingester.replicas * tenants * BLOCKS_PER_INGESTER_DAY * DAYS_PER_MONTH;
  const puts = blocksMonth * OBJECTS_PER_BLOCK * 2 + (writtenGbMonth * 1024) / CHUNK_MIB + POLLS_PER_MONTH * tenants * 3;
  const readers = tempo3 ? (['querier', 'backend-worker', 'query-frontend'] as const) : (['querier', 'compactor', 'query-frontend'] as const);
  const pollers = readers.reduce((n, c) => n + env.components[c].replicas, 0);
  const gets = a.queriesPerDay! * DAYS_PER_MONTH * a.getsPerQuery! + (writtenGbMonth * 1024) / CHUNK_MIB + POLLS_PER_MONTH * tenants * pollers;

  let vcpu = 0;
  let memoryGb = 0;
  let volumeGb = 0;
  // What the rendered workloads request (DaemonSets run one pod per node: not counted here).
  const rendered = renderEnvironment(env).objects;
  const amount = (q: string | number | undefined) => (q === undefined ? 0 : Quantity.parse(q).value);
  for (const w of rendered.filter((o) => isKind(o, 'Deployment', 'StatefulSet'))) {
    const hpa = rendered.filter((o) => isKind(o, 'HorizontalPodAutoscaler')).find((h) => h.spec?.scaleTargetRef.name === w.metadata.name);
    const replicas = (hpa ? hpa.spec?.minReplicas : w.spec?.replicas) ?? 1;
    for (const c of w.spec?.template.spec?.containers ?? []) {
      vcpu += replicas * amount(c.resources?.requests?.cpu);
      memoryGb += (replicas * amount(c.resources?.requests?.memory)) / 2 ** 30;
    }
    const claims = w.kind === 'StatefulSet' ? (w.spec?.volumeClaimTemplates ?? []) : [];
    for (const claim of claims) volumeGb += (replicas * amount(claim.spec?.resources?.requests?.storage)) / 2 ** 30;
  }
  // Strimzi's Kafka nodes are made by its operator from the KafkaNodePool: counted from it.
  for (const pool of rendered.filter((o) => isKind(o, 'KafkaNodePool'))) {
    const n = pool.spec.replicas;
    vcpu += n * amount(pool.spec.resources?.requests?.cpu);
    memoryGb += (n * amount(pool.spec.resources?.requests?.memory)) / 2 ** 30;
    for (const v of pool.spec.storage.volumes ?? []) volumeGb += (n * amount(v.size)) / 2 ** 30;
  }

  return [
    {
      item: 'S3 storage',
      quantity: `${round(storedGb)} GB (${round(a.ingestGbPerDay!)} GB/day x ${round(kept * 100, 2)}% kept x (${round(retention.days, 2)}${retention.detail ? ` (${retention.detail})` : ''} + ${env.s3.lifecycle.noncurrentVersionDays} noncurrent) days x ${a.compressionRatio})`,
      dollars: storedGb * a.s3GbMonth!,
    },
    {
      item: 'S3 PUT/LIST requests',
      quantity: `${round(puts / 1e6, 2)} M (block flushes, ${round(writtenGbMonth)} GB written in parts, 5-minute blocklist polls)`,
      dollars: (puts / 1000) * a.s3PutPer1000!,
    },
    {
      item: 'S3 GET requests',
      quantity: `${round(gets / 1e6, 2)} M (${a.queriesPerDay} queries/day x ${a.getsPerQuery})`,
      dollars: (gets / 1000) * a.s3GetPer1000!,
    },
    { item: 'compute: CPU', quantity: `${round(vcpu, 2)} vCPU requested x ${HOURS_PER_MONTH} h`, dollars: vcpu * HOURS_PER_MONTH * a.vcpuHour! },
    { item: 'compute: memory', quantity: `${round(memoryGb, 1)} GiB requested x ${HOURS_PER_MONTH} h`, dollars: memoryGb * HOURS_PER_MONTH * a.memoryGbHour! },
    {
      item: 'EBS volumes',
      quantity: `${round(volumeGb, 0)} GiB (${tempo3 ? 'live-store, scheduler, metrics-generator and Kafka' : 'ingester and metrics-generator'} PVCs)`,
      dollars: volumeGb * a.ebsGbMonth!,
    },
    crossAz(env, a, rendered, kept, DAYS_PER_MONTH),
  ];
}

export function costTable(env: Environment, a: Assumptions): string {
  const lines = estimate(env, a);
  const total = lines.reduce((s, l) => s + l.dollars, 0);
  const rows = [['item', 'quantity', '$/month'], ...lines.map((l) => [l.item, l.quantity, l.dollars.toFixed(2)]), ['total', '', total.toFixed(2)]];
  const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const out = rows.map((r) => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]!.padStart(9)}`);
  out.splice(1, 0, '-'.repeat(out[0]!.length));
  out.splice(out.length - 1, 0, '-'.repeat(out[0]!.length));
  return out.join('\n');
}

/**
 * S3 storage classes for Tempo's blocks, priced over the life of one object: from its flush until the
 * compactor deletes it at retention, plus the days it stays a noncurrent version. us-east-1 list prices
 * (aws.amazon.com/s3/pricing, 2026); minimum storage durations are billed even for objects deleted sooner.
 * Tempo reads blocks with plain GETs while it serves a query or compacts: a class whose objects must be
 * restored first (hours) is not an option however cheap.
 */
export interface StorageClass {
  name: string;
  gbMonth: number;
  /** Billed at least this long once an object is in the class. */
  minimumDays: number;
  /** A lifecycle rule may move objects there only from this age on (Standard-IA: 30 days). */
  earliestTransitionDays: number;
  retrievalPerGb: number;
  readable: boolean;
  note: string;
}
export const STORAGE_CLASSES: readonly StorageClass[] = [
  { name: 'STANDARD', gbMonth: 0.023, minimumDays: 0, earliestTransitionDays: 0, retrievalPerGb: 0, readable: true, note: 'what Tempo writes' },
  {
    name: 'INTELLIGENT_TIERING',
    gbMonth: 0.023,
    minimumDays: 0,
    earliestTransitionDays: 0,
    retrievalPerGb: 0,
    readable: true,
    note: 'Standard price until an object is 30 days without access (then $0.0125), plus $0.0025 per 1,000 objects of 128 KiB or more a month',
  },
  {
    name: 'STANDARD_IA',
    gbMonth: 0.0125,
    minimumDays: 30,
    earliestTransitionDays: 30,
    retrievalPerGb: 0.01,
    readable: true,
    note: '128 KiB minimum billed per object',
  },
  {
    name: 'GLACIER_IR',
    gbMonth: 0.004,
    minimumDays: 90,
    earliestTransitionDays: 0,
    retrievalPerGb: 0.03,
    readable: true,
    note: '128 KiB minimum billed per object',
  },
  {
    name: 'GLACIER',
    gbMonth: 0.0036,
    minimumDays: 90,
    earliestTransitionDays: 0,
    retrievalPerGb: 0.01,
    readable: false,
    note: 'restore first: minutes (expedited) to hours',
  },
  {
    name: 'DEEP_ARCHIVE',
    gbMonth: 0.00099,
    minimumDays: 180,
    earliestTransitionDays: 0,
    retrievalPerGb: 0.02,
    readable: false,
    note: 'restore first: 12 hours or more',
  },
];
const IA_TIER_GB_MONTH = 0.0125;
const IT_MOVES_DOWN_AFTER_DAYS = 30;

export interface StorageClassCost {
  name: string;
  /** Dollars per GB over the object's life; undefined when no lifecycle rule can move it there in time. */
  dollarsPerGb: number | undefined;
  readable: boolean;
  note: string;
}

/** Each class priced for this environment's object life; reads: every block is read by about COMPACTION_PASSES compactions. */
export function storageClassCosts(env: Environment): { lifeDays: number; classes: StorageClassCost[] } {
  const life = retentionDays(env).days + env.s3.lifecycle.noncurrentVersionDays;
  const month = (gbMonth: number, days: number) => (gbMonth * days) / DAYS_PER_MONTH;
  const standard = STORAGE_CLASSES[0]!.gbMonth;
  const classes = STORAGE_CLASSES.map((c): StorageClassCost => {
    let dollars: number | undefined;
    if (c.name === 'INTELLIGENT_TIERING') {
      // Best case: never read after its first 30 days (a search reads every block of its time range).
      const frequent = Math.min(life, IT_MOVES_DOWN_AFTER_DAYS);
      dollars = month(c.gbMonth, frequent) + month(IA_TIER_GB_MONTH, life - frequent);
    } else if (c.earliestTransitionDays >= life) dollars = undefined;
    else {
      const before = c.earliestTransitionDays;
      dollars = month(standard, before) + month(c.gbMonth, Math.max(life - before, c.minimumDays)) + c.retrievalPerGb * COMPACTION_PASSES;
    }
    return { name: c.name, dollarsPerGb: dollars, readable: c.readable, note: c.note };
  });
  return { lifeDays: life, classes };
}

/** The cheapest class Tempo can read from, for this environment's retention. */
export function cheapestReadableClass(env: Environment): string {
  const readable = storageClassCosts(env).classes.filter((c) => c.readable && c.dollarsPerGb !== undefined);
  return readable.reduce((a, b) => (b.dollarsPerGb! < a.dollarsPerGb! - 1e-9 ? b : a)).name;
}
