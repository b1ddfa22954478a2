// Where Tempo 3 meets the other features: TLS, tenants and availability zones render, pass the 3.0.3
// checks, and place the live-stores as a platform engineer expects. (The real 3.0.3 runs them in the e2e:
// tests/e2e/tempo3.ts, scenario tempo3-tenants.)
import { describe, expect, it } from 'vitest';
import { LIVE_STORE_ZONES } from '../generators/components/live-store';
import { ZONE_TOPOLOGY_KEY } from '../generators/components/zones';
import { mergeEnvironment } from '../generators/environment/load';
import { type RenderedEnvironment, renderEnvironment } from '../generators/render';
import { configProblems } from '../generators/tempo3/checks';
import type { Any } from './helpers/objects';

function render(file: Record<string, unknown>): RenderedEnvironment {
  return renderEnvironment(
    mergeEnvironment('x', {
      cluster: { name: 'c' },
      aws: { region: 'us-east-1', accountId: '123456789012' },
      s3: { bucket: 'tempo-traces-x' },
      tempo: { version: '3.0' },
      ...file,
    }),
  );
}
const problems = (r: RenderedEnvironment) => configProblems(r.tempoConfig, r.overrides, r.objects).map((p) => `${p.file}: ${p.path}: ${p.message}`);
const liveStores = (r: RenderedEnvironment) => (r.objects as Any[]).filter((o) => o.kind === 'StatefulSet' && /live-store-zone-/.test(o.metadata.name));
const pinnedTo = (s: Any) =>
  s.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions?.find(
    (e: Any) => e.key === ZONE_TOPOLOGY_KEY,
  )?.values;

describe('Tempo 3 with TLS', () => {
  const r = render({ tls: { enabled: true } });
  const c = r.tempoConfig as Any;

  it('renders and passes the 3.0.3 schema and the half-TLS checks', () => expect(problems(r)).toEqual([]));

  it('encrypts every server and client 3.0 runs; no 2.10 client is left', () => {
    expect(c.server.grpc_tls_config.client_auth_type).toBe('RequireAndVerifyClientCert');
    expect(c.memberlist.tls_enabled).toBe(true);
    expect(c.cache.caches[0].memcached.tls_enabled).toBe(true);
    for (const client of [c.querier.frontend_worker, c.live_store_client, c.backend_scheduler_client]) expect(client.grpc_client_config.tls_enabled).toBe(true);
    expect(c.live_store_client.grpc_client_config.tls_server_name).toBe('tempo-stack-live-store-zone-a.observability.svc.cluster.local');
    expect(c).not.toHaveProperty('ingester_client');
    expect(c).not.toHaveProperty('metrics_generator_client');
  });

  it('refuses half-TLS on a 3.0 client: a plaintext live-store client beside TLS servers', () => {
    const half = structuredClone(r.tempoConfig) as Any;
    half.live_store_client.grpc_client_config.tls_enabled = false;
    expect(
      configProblems(half, r.overrides, r.objects)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/queriers dial the live-stores over one and answer over the other/);
  });
});

describe('Tempo 3 with tenants', () => {
  const tenants = { acme: { rateLimitBytes: 2000000 }, lean: { processors: ['service-graphs'] } };
  const r = render({ features: { multitenancy: true }, limits: { tenants } });
  const blocks = (r.overrides as Any).overrides;

  it('renders: inject_tenant_id_as is a 3.0.3 key, and no block names local-blocks (3.0.3 has no such processor)', () => {
    expect(problems(r)).toEqual([]);
    expect((r.tempoConfig as Any).metrics_generator.registry.inject_tenant_id_as).toBe('tenant');
    expect(blocks.acme.metrics_generator.processors).toEqual(['service-graphs', 'span-metrics']);
    expect(blocks.lean.metrics_generator.processors).toEqual(['service-graphs']);
  });

  it('refuses a tenant that lists local-blocks itself, naming its field', () => {
    const own = render({ features: { multitenancy: true }, limits: { tenants: { acme: { processors: ['span-metrics', 'local-blocks'] } } } });
    const found = configProblems(own.tempoConfig, own.overrides, own.objects);
    expect(found.map((p) => [p.field, p.message])).toContainEqual([
      'limits.tenants.acme.processors',
      expect.stringMatching(/^local-blocks is not a processor of Tempo 3/),
    ]);
  });
});

describe('live-store zones and cluster.zones', () => {
  it('two or more zones: zone-a runs in the first AZ, zone-b in the second (node affinity), logical names kept', () => {
    const sets = liveStores(render({ cluster: { name: 'c', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] } }));
    expect(sets.map((s) => [s.metadata.name, pinnedTo(s)])).toEqual(LIVE_STORE_ZONES.map((z, i) => [`tempo-stack-live-store-${z}`, [`us-east-1${'ab'[i]}`]]));
    // The ring zone stays the logical one (its flag), the consumer group the StatefulSet's name.
    expect(sets[0].spec.template.spec.containers[0].args).toContain('-live-store.instance-availability-zone=zone-a');
  });

  it('fewer than two zones: not pinned', () => {
    for (const zones of [[], ['us-east-1a']]) expect(liveStores(render({ cluster: { name: 'c', zones } })).map(pinnedTo)).toEqual([undefined, undefined]);
  });
});
