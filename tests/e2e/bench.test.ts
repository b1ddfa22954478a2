// The bench's baseline keeps the rendered topology (processes, addresses, rings, bucket) and leaves
// everything else to Tempo's defaults: no cache, no limits, no block or query tuning.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baselineConfig } from './bench';
import { loopbackTempoConfig } from './loopback';
import { planStack } from './plan';
import { environmentNames, readRendered } from './rendered';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('bench:stack baseline', () => {
  // bench:stack runs Tempo 2.10.8 (its baseline keeps the ingester ring): the 2.10 environments.
  for (const name of environmentNames(ROOT).filter((n) => readRendered(ROOT, n).tempo.ingest === undefined)) {
    it(`${name}: no cache, default limits and tuning; the same processes, addresses and rings`, () => {
      const env = readRendered(ROOT, name);
      const base = baselineConfig(env.tempo);
      expect(base.cache).toBeUndefined();
      expect(base.overrides).toBeUndefined();
      expect(base.query_frontend).toBeUndefined();
      expect(base.storage.trace.block).toBeUndefined();
      expect(base.compactor?.compaction).toBeUndefined();
      let port = 40_000;
      const plan = planStack(env, () => port++, '/nonexistent/e2e-bench-test');
      for (const p of plan.processes.filter((x) => x.role === 'tempo')) {
        const ctx = { plan, process: p, blackhole: '127.0.0.1:9' };
        const [a, b] = [loopbackTempoConfig(env.tempo, ctx), loopbackTempoConfig(base, ctx)];
        const listen = (c: typeof a) => [c.server.http_listen_address, c.server.http_listen_port, c.server.grpc_listen_address, c.server.grpc_listen_port];
        expect(listen(b), p.id).toEqual(listen(a));
        expect(b.memberlist, p.id).toEqual(a.memberlist);
        expect(b.distributor, p.id).toEqual(a.distributor);
        expect(b.ingester.lifecycler, p.id).toMatchObject({ id: a.ingester.lifecycler.id, ring: a.ingester.lifecycler.ring });
        expect(b.ingester.lifecycler.availability_zone, p.id).toBe(a.ingester.lifecycler.availability_zone);
        expect(b.storage.trace.s3, p.id).toMatchObject({ bucket: a.storage.trace.s3.bucket, endpoint: a.storage.trace.s3.endpoint });
        // TLS (when on) is part of the topology: the baseline encrypts what the rendered config encrypts.
        expect(b.querier, p.id).toEqual({ frontend_worker: a.querier.frontend_worker });
        expect([b.server.grpc_tls_config, b.ingester_client, b.metrics_generator_client], p.id).toEqual([
          a.server.grpc_tls_config,
          a.ingester_client,
          a.metrics_generator_client,
        ]);
      }
    });
  }
});
