// Each planted fault changes what it says in the rendered environment, and the loopback stack then
// shows it the way the cluster would (no binary needed). `npm run e2e -- --plant <fault>` proves the
// named check catches it against the real Tempo.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SAMPLING_RATIO_ATTRIBUTE } from '../../generators/components/sampling';
import { parse, stringify } from 'yaml';
import { FAULTS, fault } from './faults';
import { loopbackTempoConfig } from './loopback';
import { planStack, receiverEndpoints, resolveAddress } from './plan';
import { readRendered } from './rendered';
import { workloads } from './topology';
import { ingesterZones } from './zones';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const planted = (name: string) => {
  const env = readRendered(ROOT, 'prod');
  fault(name).plant(env);
  let port = 30_000;
  return planStack(env, () => port++, '/nonexistent/e2e-fault-test');
};

describe('e2e planted faults', () => {
  it('each names a check and a description', () => {
    expect(FAULTS.map((f) => f.name).sort()).toEqual([
      'reader-prefix',
      'receiver-localhost',
      'ring-address',
      'sampling-multiplier',
      'tempo3-compaction-enabled',
      'tenant-block-incomplete',
      'tenant-single-limit-block',
      'tls-server-name',
      'zone-unaware',
    ]);
    for (const f of FAULTS) expect(f.failsCheck.length * f.description.length).toBeGreaterThan(0);
    expect(() => fault('no-such-fault')).toThrow(/ring-address/);
  });

  it('.ci/run runs every environment, and every planted fault (each run passes only if its check fails)', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    const e2e = ci.split('\n').filter((l) => /^npm run e2e\b/.test(l));
    expect(e2e.filter((l) => !/--(env|scenario|plant)\b/.test(l)).length, 'an `npm run e2e` of every environment').toBeGreaterThan(0);
    const looped = (/^for fault in ([^;]+); do\n\s*npm run e2e .*--plant "\$fault"/m.exec(ci)?.[1] ?? '').split(/\s+/);
    const planted = new Set([...looped, ...[...ci.matchAll(/^npm run e2e .*--plant ([\w-]+)/gm)].map((m) => m[1])]);
    expect(FAULTS.map((f) => f.name).filter((n) => !planted.has(n))).toEqual([]);
  });

  it('ring-address: the gossip ring members resolve to no Service, so every process joins the blackhole', () => {
    const plan = planted('ring-address');
    const unresolved: string[] = [];
    const p = plan.processes.find((x) => x.component === 'ingester')!;
    const c = loopbackTempoConfig(plan.env.tempo, { plan, process: p, blackhole: '127.0.0.1:9', onUnresolved: (path) => unresolved.push(path) });
    expect(c.memberlist.join_members).toEqual(['127.0.0.1:9']);
    expect(unresolved).toEqual(['memberlist.join_members']);
  });

  it("receiver-localhost: the OTLP gRPC receiver binds a pod-local port, not the one the distributor's Service reaches", () => {
    const plan = planted('receiver-localhost');
    const d = plan.processes.find((x) => x.component === 'distributor')!;
    const c = loopbackTempoConfig(plan.env.tempo, { plan, process: d, blackhole: '127.0.0.1:9' });
    const bound = receiverEndpoints(c).find((r) => r.key === 'otlp.grpc')!.endpoint;
    const reached = resolveAddress(plan, 'tempo-stack-distributor.observability.svc.cluster.local:4317');
    expect(reached).toHaveLength(1);
    expect(bound).not.toBe(reached[0]);
    expect(bound).toBe(`127.0.0.1:${d.podLocalPorts.get(4317)}`);
  });

  it('tls-server-name: the distributor checks the ingesters under a name their certificate does not carry', () => {
    const plan = planted('tls-server-name');
    const name = plan.env.tempo.ingester_client.grpc_client_config.tls_server_name;
    expect(name).toBe('tempo-stack-querier.observability.svc.cluster.local');
    const ingester = plan.env.objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'tempo-stack-ingester');
    expect(ingester.spec.dnsNames).not.toContain(name);
  });

  it('zone-unaware: the ring ignores the zones, which every ingester still announces from its StatefulSet', () => {
    const plan = planted('zone-unaware');
    expect(plan.env.tempo.ingester.lifecycler.ring.zone_awareness_enabled).toBe(false);
    const zones = ingesterZones(
      plan.env.tempo,
      plan.processes.filter((x) => x.component === 'ingester'),
    );
    expect([...(zones ?? new Map()).keys()]).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const unaware = readRendered(ROOT, 'prod');
    delete unaware.tempo.ingester.lifecycler.ring.zone_awareness_enabled;
    expect(() => fault('zone-unaware').plant(unaware)).toThrow(/not zone-aware/);
  });

  it("tenant-block-incomplete: the file Tempo reads loses a tenant's read limits; what the checks expect keeps them", () => {
    const env = readRendered(ROOT, 'prod');
    const block = { ingestion: { rate_limit_bytes: 1 }, read: { max_search_duration: '2h' } };
    env.overrides = { overrides: { '*': structuredClone(block), acme: structuredClone(block) } };
    env.overridesText = JSON.stringify(env.overrides);
    fault('tenant-block-incomplete').plant(env);
    expect(JSON.parse(env.overridesText).overrides).toEqual({ '*': block, acme: { ingestion: { rate_limit_bytes: 1 } } });
    expect(env.overrides.overrides.acme).toEqual(block);
    expect(() => fault('tenant-block-incomplete').plant(readRendered(ROOT, 'prod'))).toThrow(/no tenant block/);
  });

  it('sampling-multiplier: span metrics scale by an attribute the agents do not write (Tempo accepts any name)', () => {
    const plan = planted('sampling-multiplier');
    expect(plan.env.tempo.metrics_generator.processor.span_metrics.span_multiplier_key).not.toBe(SAMPLING_RATIO_ATTRIBUTE);
    expect(readRendered(ROOT, 'prod').tempo.metrics_generator.processor.span_metrics.span_multiplier_key).toBe(SAMPLING_RATIO_ATTRIBUTE);
  });

  it("tenant-single-limit-block: the tenant's block in the overrides file keeps only its rate limit; other blocks stay", () => {
    const env = readRendered(ROOT, 'staging');
    expect(() => fault('tenant-single-limit-block').plant(env)).toThrow(/single-limit-tenant/);
    const full = { ingestion: { rate_limit_bytes: 2000000, burst_size_bytes: 20000000, max_traces_per_user: 10000 }, global: { max_bytes_per_trace: 5000000 } };
    env.overrides = { overrides: { acme: full, '*': structuredClone(full) } };
    env.overridesText = stringify(env.overrides);
    fault('tenant-single-limit-block').plant(env);
    expect(parse(env.overridesText)).toEqual({ overrides: { acme: { ingestion: { rate_limit_bytes: 2000000 } }, '*': full } });
    expect(env.overrides.overrides.acme).toEqual(full); // what generate rendered, what the checks expect
    let port = 30_000;
    const plan = planStack(env, () => port++, '/nonexistent/e2e-fault-test');
    expect(plan.env.overridesText).toBe(env.overridesText);
  });

  it('reader-prefix: only the querier gets another S3 prefix', () => {
    const plan = planted('reader-prefix');
    const withFlag = workloads(plan.env.objects).filter((w) => w.args.some((a) => a.startsWith('-storage.trace.s3.prefix=')));
    expect(withFlag.map((w) => w.name)).toEqual(['tempo-stack-querier']);
    expect(withFlag[0]!.args).toContain(`-storage.trace.s3.prefix=${plan.env.tempo.storage.trace.s3.prefix}-stale`);
  });
});
