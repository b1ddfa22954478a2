// The loopback variant of each environment's config differs from the rendered one only where
// ALLOWED_DIFFERENCES (or a re-rooted volume path) says it may, and listens on 127.0.0.1 only.
// No Tempo binary needed: this is the proof behind "only addresses, ports, ring identities and the S3
// endpoint may differ".
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALLOWED_DIFFERENCES, allowedDifference, differingPaths, loopbackTempoConfig } from './loopback';
import { planStack, receiverEndpoints, resolveAddress, type Plan } from './plan';
import { environmentNames, readRendered, type Any } from './rendered';
import { Stack } from './stack';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tempo-e2e-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = environmentNames(ROOT);
const plans: Plan[] = names.map((name) => {
  let port = 20_000;
  return planStack(readRendered(ROOT, name), () => port++, join(dir, name));
});
const usedRules = new Set<string>();

describe('e2e loopback configs', () => {
  it('there are environments to check', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const plan of plans) {
    describe(plan.env.name, () => {
      const tempo = plan.processes.filter((p) => p.role === 'tempo');

      it('plans every component of its Tempo version, ingesters as their StatefulSets have them (up to 6, one per zone at least), a live-store per zone', () => {
        const components = new Set(tempo.map((p) => p.component));
        const tempo3 = plan.env.tempo.ingest !== undefined;
        const expected = tempo3
          ? ['distributor', 'live-store', 'block-builder', 'query-frontend', 'querier', 'backend-scheduler', 'backend-worker', 'metrics-generator']
          : ['distributor', 'ingester', 'query-frontend', 'querier', 'compactor', 'metrics-generator'];
        for (const c of expected) expect(components, c).toContain(c);
        if (tempo3)
          expect(tempo.filter((p) => p.component === 'live-store').map((p) => p.id)).toEqual([
            'tempo-stack-live-store-zone-a-0',
            'tempo-stack-live-store-zone-b-0',
          ]);
        else {
          const sets = plan.env.objects.filter((o) => o.kind === 'StatefulSet' && o.spec.template.spec.containers[0].args.includes('-target=ingester'));
          const replicas = sets.reduce((n: number, s: Any) => n + s.spec.replicas, 0);
          expect(tempo.filter((p) => p.component === 'ingester')).toHaveLength(Math.min(replicas, 6));
          for (const s of sets) expect(tempo.filter((p) => p.workload.name === s.metadata.name).length, s.metadata.name).toBeGreaterThanOrEqual(1);
        }
        expect(new Set(plan.processes.flatMap((p) => [...p.ports.values(), ...p.podLocalPorts.values()])).size).toBe(
          plan.processes.reduce((n, p) => n + p.ports.size + p.podLocalPorts.size, 0),
        );
      });

      for (const p of tempo) {
        it(`${p.id}: every difference from the rendered config is allowed`, () => {
          const unresolved: string[] = [];
          const derived = loopbackTempoConfig(plan.env.tempo, {
            plan,
            process: p,
            blackhole: '127.0.0.1:1',
            onUnresolved: (path, a) => unresolved.push(`${path}=${a}`),
          });
          const paths = differingPaths(plan.env.tempo, derived);
          expect(paths.length).toBeGreaterThan(0);
          const unexplained = paths.filter((path) => !allowedDifference(path, plan.env.tempo, derived, p));
          expect(unexplained, 'differences outside ALLOWED_DIFFERENCES').toEqual([]);
          for (const path of paths) {
            const rule = ALLOWED_DIFFERENCES.find((r) => r.path.test(path));
            if (rule) usedRules.add(rule.path.source);
          }
          expect(unresolved, 'in-cluster addresses that resolve to no Service').toEqual([]);
        });

        it(`${p.id}: listens on 127.0.0.1 only and names no in-cluster or cloud host`, () => {
          const derived: Any = loopbackTempoConfig(plan.env.tempo, { plan, process: p, blackhole: '127.0.0.1:1' });
          expect(derived.server.http_listen_address).toBe('127.0.0.1');
          expect(derived.server.grpc_listen_address).toBe('127.0.0.1');
          expect(derived.memberlist.bind_addr).toEqual(['127.0.0.1']);
          for (const r of receiverEndpoints(derived)) expect(r.endpoint, r.key).toMatch(/^127\.0\.0\.1:\d+$/);
          // tls_server_name is the name a certificate is checked against, never an address dialed.
          const dialed = JSON.stringify(derived, (k, v) => (k === 'tls_server_name' ? undefined : v));
          expect(dialed).not.toMatch(/svc\.cluster\.local|amazonaws\.com|0\.0\.0\.0/);
          expect(derived.memberlist.join_members.length).toBeGreaterThanOrEqual(
            tempo.filter((x) => x.workload.podLabels['tempo-gossip-member'] === 'true').length,
          );
        });
      }

      it('the runtime overrides file is passed on unchanged, and each process gets its derived config', () => {
        const stack = new Stack(plan, { tempo: '', vulture: '', memcached: '', prometheus: '', s3rver: '' }, 'bucket', []);
        for (const p of tempo) {
          const derived = stack.prepareTempo(p);
          expect(readFileSync(derived.overrides.per_tenant_override_config, 'utf8')).toBe(plan.env.overridesText);
          expect(parse(readFileSync(join(p.dir, 'conf', 'tempo.yaml'), 'utf8'))).toEqual(derived);
        }
      });

      it("the distributor's receivers are reachable through its Service", () => {
        const svc = plan.services.find((s) => s.name.endsWith('-distributor'))!;
        for (const r of receiverEndpoints(plan.env.tempo))
          expect(resolveAddress(plan, `${svc.name}.${svc.namespace}.svc.cluster.local:${r.port}`), r.key).toHaveLength(1);
      });
    });
  }

  it('every allow-list entry is needed by some environment', () => {
    expect([...usedRules].sort()).toEqual(ALLOWED_DIFFERENCES.map((r) => r.path.source).sort());
  });
});
