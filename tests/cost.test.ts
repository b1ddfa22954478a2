// `npm run cost`: offline, its storage line is ingest x retention x compression x price, its compute line
// is the requests the overlay really renders.
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, defaultAssumptions, estimate } from '../generators/cost';
import { Quantity } from '../generators/environment/units';
import { loadEnvironments, environmentNames } from '../generators/repository';
import { main as cost } from '../scripts/cost';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';
import { runMain } from './helpers/run';

const envs = loadEnvironments(ROOT);

const run = (argv: string[]) => runMain(cost, argv);
const dollars = (stdout: string, item: string) => Number(new RegExp(`^${item}\\s.*\\s([0-9.]+)$`, 'm').exec(stdout)?.[1]);

describe('npm run cost', () => {
  it("the seed's prices are the defaults", () => {
    const a = defaultAssumptions();
    expect([a.s3GbMonth, a.s3PutPer1000, a.s3GetPer1000]).toEqual([0.023, 0.005, 0.0004]);
    expect(a.ingestGbPerDay! * 30).toBeCloseTo(1000); // the seed's "1TB traces/month"
  });

  for (const env of envs) {
    it(`${env.name}: a table whose total is the sum of its lines`, () => {
      const r = run(['--env', env.name]);
      expect(r.code, r.stderr).toBe(0);
      const items = ['S3 storage', 'S3 PUT/LIST requests', 'S3 GET requests', 'compute: CPU', 'compute: memory', 'EBS volumes', 'cross-AZ transfer'];
      const sum = items.reduce((s, i) => s + dollars(r.stdout, i), 0);
      expect(dollars(r.stdout, 'total')).toBeCloseTo(sum, 1);
    });
  }

  it('S3 storage = ingest x the share sampling keeps x (retention + noncurrent days) x compression x price, following --ingest-gb-per-day', () => {
    const prod = envs.find((e) => e.name === 'prod')!;
    const kept = prod.sampling.percentage / 100;
    const r = run(['--env', 'prod', '--ingest-gb-per-day', '1000']);
    const days = prod.retention.days + prod.s3.lifecycle.noncurrentVersionDays;
    expect(dollars(r.stdout, 'S3 storage')).toBeCloseTo(1000 * kept * days * 0.25 * 0.023, 1);
    expect(dollars(run(['--env', 'prod', '--ingest-gb-per-day', '1000', '--s3-gb-month', '0.0125']).stdout, 'S3 storage')).toBeCloseTo(
      1000 * kept * days * 0.25 * 0.0125,
      1,
    );
  });

  it('--sampling-percentage shows the estimate before and after, and what changes: storage and the bytes-driven requests', () => {
    const prod = envs.find((e) => e.name === 'prod')!;
    const r = run(['--env', 'prod', '--ingest-gb-per-day', '1000', '--sampling-percentage', '50']);
    expect(r.code, r.stderr).toBe(0);
    const [before, after] = r.stdout.split(/^After /m);
    expect(before).toContain(`the agents keep ${prod.sampling.percentage}%`);
    expect(after).toMatch(/^\(--sampling-percentage 50\) - sampling: the agents keep 50%/);
    const storage = [dollars(before!, 'S3 storage'), dollars(after!, 'S3 storage')];
    expect(storage[1]! / storage[0]!).toBeCloseTo(50 / prod.sampling.percentage, 1);
    expect(dollars(after!, 'S3 PUT/LIST requests')).toBeGreaterThan(dollars(before!, 'S3 PUT/LIST requests'));
    expect(dollars(after!, 'compute: CPU')).toBe(dollars(before!, 'compute: CPU'));
    expect(r.stdout).toMatch(/^Change:\n\s+S3 storage\s+[0-9.]+ ->\s+[0-9.]+\s+\(\+[0-9.]+\)$/m);
    expect(r.stdout).toMatch(/^\s+total\s+[0-9.]+ ->\s+[0-9.]+\s+\(\+[0-9.]+\)$/m);
    for (const bad of ['101', '-1', 'ten', ''])
      expect(run(['--env', 'prod', `--sampling-percentage=${bad}`])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--sampling-percentage: expected a percentage from 0 to 100'),
      });
  });

  it('cross-AZ transfer: replicated writes (2.10: RF copies + the generator; 3.0: Kafka produce, broker copies, 4 consumers) and query results, (Z-1)/Z of them in another zone, at $0.02/GB', () => {
    for (const env of envs) {
      const a = { ...defaultAssumptions(), ingestGbPerDay: 100 };
      const line = estimate(env, a).find((l) => l.item === 'cross-AZ transfer')!;
      const z = env.cluster.zones.length || 3;
      const away = (z - 1) / z;
      const rf = env.tempo.replicationFactor;
      const objects = build(`overlays/${env.name}`) as Any[];
      const inZone = (c: string) => objects.find((o) => o.kind === 'Service' && o.metadata.name === `tempo-stack-${c}`)?.spec.trafficDistribution !== undefined;
      const received = 100 * (env.sampling.percentage / 100) * 0.5;
      // 2.10: RF ingesters + 1 generator, a query reads RF ingesters. 3.0: 1 produce + the Strimzi topic's
      // follower copies (its KafkaTopic's replicas - 1; MSK replication is free) + 4 fetches (2 live-store
      // zones, block-builder, generator), a query reads one live-store per partition.
      const topic = objects.find((o) => o.kind === 'KafkaTopic');
      const copies = env.tempo.version === '3.0' ? 1 + (topic ? topic.spec.replicas - 1 : 0) + 4 : rf + 1;
      const read = env.tempo.version === '3.0' ? 1 : rf;
      const writes = received * ((inZone('distributor') ? 0 : away) + copies * away);
      const queries = ((2000 * 100) / 1e6) * (read * away + away + (inZone('query-frontend') ? 0 : away));
      expect(line.dollars, env.name).toBeCloseTo((writes + queries) * (730 / 24) * 0.02, 6);
      if (env.tempo.version === '3.0') expect(line.quantity, env.name).toMatch(/1 produce \+ .* \+ 4 fetches \(2 live-store zones, block-builder, generator\)/);
      // Zone-aware with as many zones as copies: exactly two of three copies cross.
      else if (env.components.ingester.zoneAware && z === rf) expect(rf * away).toBeCloseTo(rf - 1, 9);
    }
    const prod = run(['--env', 'prod', '--cross-az-gb', '0']);
    expect(dollars(prod.stdout, 'cross-AZ transfer')).toBe(0);
    expect(prod.stdout).toMatch(
      /^cross-AZ transfer\s+[0-9.]+ GB \(writes [0-9.]+: 3 copies \+ 1 to the generator, 67% in another of 3 zones, agents in-zone; queries [0-9.]+\)/m,
    );
  });

  it('with the tail-sampling gateway: every span crosses to the gateway pod of its trace id before sampling, the gateway and its pods are priced', () => {
    const prod = envs.find((e) => e.name === 'prod')!;
    const tail = { ...prod, sampling: { ...prod.sampling, tail: { ...prod.sampling.tail, enabled: true } } };
    const a = { ...defaultAssumptions(), ingestGbPerDay: 100 };
    const line = (env: typeof prod, item: string) => estimate(env, a).find((l) => l.item === item)!;
    const z = prod.cluster.zones.length || 3;
    // Before sampling: what the applications send, gzip on the wire, (Z-1)/Z of it to a gateway in another zone.
    const toGateway = 100 * 0.5 * ((z - 1) / z) * (730 / 24) * 0.02;
    // Past the gateway, the same bytes as agents that keep what the gateway keeps (10% + 2% of the rest).
    const sameShare = { ...prod, sampling: { ...prod.sampling, percentage: prod.sampling.percentage + (100 - prod.sampling.percentage) * 0.02 } };
    expect(line(tail, 'cross-AZ transfer').dollars - line(sameShare, 'cross-AZ transfer').dollars).toBeCloseTo(toGateway, 6);
    expect(line(tail, 'cross-AZ transfer').quantity).toMatch(/agents to the gateway [0-9.,]+ \(every span, before sampling\)/);
    // A lower percentage saves after the gateway, not on the way to it.
    const lower = { ...tail, sampling: { ...tail.sampling, percentage: 1 } };
    expect(line(lower, 'cross-AZ transfer').dollars).toBeGreaterThan(toGateway);
    expect(line(tail, 'compute: CPU').dollars).toBeGreaterThan(line(prod, 'compute: CPU').dollars);
  });

  it('names the storage class Tempo can read that costs least for the retention: Standard, with the numbers', () => {
    for (const env of envs) {
      const out = run(['--env', env.name]).stdout;
      expect(out, env.name).toMatch(/^Cheapest that Tempo can read: STANDARD /m);
      expect(out).toMatch(/^ {2}GLACIER\s+\$[0-9.]+\s+RESTORE/m);
    }
  });

  it('compute is priced from the CPU and memory requests the overlay renders (HPA minimum replicas, Kafka node pools)', () => {
    for (const env of envs) {
      const objects = build(`overlays/${env.name}`) as Any[];
      let cpu = 0;
      let memory = 0;
      for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
        const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === w.metadata.name);
        const replicas = hpa ? hpa.spec.minReplicas : w.spec.replicas;
        for (const c of w.spec.template.spec.containers) {
          cpu += replicas * Quantity.parse(c.resources.requests.cpu).value;
          memory += (replicas * Quantity.parse(c.resources.requests.memory).value) / 2 ** 30;
        }
      }
      // Strimzi's Kafka nodes (Tempo 3): the operator makes their pods from the KafkaNodePool.
      for (const pool of objects.filter((o) => o.kind === 'KafkaNodePool')) {
        cpu += pool.spec.replicas * Quantity.parse(pool.spec.resources.requests.cpu).value;
        memory += (pool.spec.replicas * Quantity.parse(pool.spec.resources.requests.memory).value) / 2 ** 30;
      }
      const lines = estimate(env, defaultAssumptions());
      expect(lines.find((l) => l.item === 'compute: CPU')!.dollars, env.name).toBeCloseTo(cpu * 730 * 0.04048, 6);
      expect(lines.find((l) => l.item === 'compute: memory')!.dollars, env.name).toBeCloseTo(memory * 730 * 0.004445, 6);
    }
  });

  it('every assumption has a flag, and bad input is refused with the reason', () => {
    expect(run(['--help']).stdout).toContain(ASSUMPTIONS.map((a) => `--${a.flag}`)[0]);
    for (const a of ASSUMPTIONS) expect(run(['--help']).stdout).toContain(`--${a.flag}`);
    expect(run(['--env', 'prod', '--ingest-gb-per-day', 'lots'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--ingest-gb-per-day: expected a number >= 0 \(GB\/day\), got "lots"/),
    });
    expect(run(['--env', 'prod', '--bogus', '1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--bogus'/) });
    expect(run([])).toMatchObject({ code: 2, stderr: expect.stringContaining(`--env is required; expected one of: ${environmentNames(ROOT).join(', ')}`) });
  });
});
