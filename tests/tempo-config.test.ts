// The Tempo config schema and wiring rules (generators/validation/tempo.ts): what generate checks before
// writing, and validate checks in the kustomize output.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironment } from '../generators/environment/load';
import { renderEnvironment } from '../generators/render';
import { environmentNames } from '../generators/repository';
import { builtTempoProblems, tempoProblems } from '../generators/tempo/checks';
import { configProblems } from '../generators/tempo3/checks';
import { ROOT, build } from './helpers/kustomize';
import { tempoConfigMap, type Any } from './helpers/objects';

const render = (name: string) => renderEnvironment(loadEnvironment(`overlays/${name}/environment.yaml`, name, undefined, ROOT));

/** The problems after `edit` changed prod's rendered config, overrides or objects, as `file: path: message`. */
function problemsAfter(edit: (config: Any, overrides: Any, objects: Any[]) => void): string[] {
  const r = structuredClone(render('prod'));
  edit(r.tempoConfig, r.overrides, r.objects);
  return tempoProblems(r.tempoConfig, r.overrides, r.objects).map((p) => `${p.file}: ${p.path}: ${p.message}`);
}

describe('the rendered Tempo config', () => {
  for (const name of environmentNames(ROOT)) {
    it(`of ${name} passes the schema and the wiring rules`, () => {
      const r = render(name);
      expect(configProblems(r.tempoConfig, r.overrides, r.objects)).toEqual([]);
    });
  }

  it('passes in the kustomize output too', () => {
    expect(builtTempoProblems(build('overlays/staging'))).toEqual([]);
  });
});

describe('the Tempo config schema', () => {
  it('rejects an unknown key, suggesting the nearest', () => {
    expect(problemsAfter((c) => (c.server.http_listen_prot = 3200))).toEqual([
      expect.stringMatching(
        /^tempo\.yaml: server\.http_listen_prot: unknown field \(did you mean "http_listen_port"\?\); expected one of: http_listen_network/,
      ),
    ]);
    expect(problemsAfter((c) => (c.ingester.lifecycler.ring.replication = 3))[0]).toMatch(/ingester\.lifecycler\.ring\.replication: unknown field/);
  });

  it('rejects a top-level section this stack does not run (Tempo 3 only)', () => {
    expect(problemsAfter((c) => (c.live_store = {}))[0]).toMatch(/^tempo\.yaml: live_store: unknown field/);
  });

  it('rejects a value outside an enum: block version, backend, encoding, cache role, SSE type', () => {
    const problems = problemsAfter((c) => {
      c.storage.trace.block.version = 'vParquet9';
      c.storage.trace.backend = 'S3';
      c.storage.trace.wal.v2_encoding = 'zstandard';
      c.cache.caches[0].roles.push('blooms');
      c.storage.trace.s3.sse.type = 'AES256';
    });
    expect(problems).toEqual([
      'tempo.yaml: storage.trace.backend: expected one of "s3", "gcs", "azure", "local" (did you mean "s3"?), got string "S3"',
      'tempo.yaml: storage.trace.s3.sse.type: expected one of "SSE-S3", "SSE-KMS", "SSE-C", got string "AES256"',
      'tempo.yaml: storage.trace.wal.v2_encoding: expected one of "none", "gzip", "lz4-64k", "lz4-256k", "lz4-1M", "lz4", "snappy", "zstd", "s2", got string "zstandard"',
      'tempo.yaml: storage.trace.block.version: expected one of "v2", "vParquet3", "vParquet4", "vParquet5" (did you mean "vParquet3"?), got string "vParquet9"',
      'tempo.yaml: cache.caches[0].roles[3]: expected one of "bloom", "trace-id-index", "parquet-footer", "parquet-column-idx", "parquet-offset-idx", "frontend-search", "parquet-page" (did you mean "bloom"?), got string "blooms"',
    ]);
  });

  it('rejects a wrong type and a bad duration', () => {
    expect(
      problemsAfter((c) => {
        c.ingester.lifecycler.ring.replication_factor = '3';
        c.compactor.compaction.block_retention = '14d';
      }),
    ).toEqual([
      'tempo.yaml: ingester.lifecycler.ring.replication_factor: expected integer, got string "3"',
      'tempo.yaml: compactor.compaction.block_retention: expected a Go duration such as 500ms, 30s, 5m or 336h (no "d" unit), got string "14d"',
    ]);
  });

  it('requires runtime overrides in the nested format and says where a legacy key moved', () => {
    const complete = (c: Any) => {
      const { rate_strategy: _, ...ingestion } = c.overrides.defaults.ingestion;
      return { ...structuredClone(c.overrides.defaults), ingestion };
    };
    expect(problemsAfter((c, o) => (o.overrides.acme = { ...complete(c), ingestion_rate_limit_bytes: 1000, max_bytes_per_trace: 10 }))).toEqual([
      'overrides.yaml: overrides.acme.ingestion_rate_limit_bytes: legacy flat override key (Tempo 2.10 warns of a type mismatch, Tempo 3 refuses it); write it nested as overrides.acme.ingestion.rate_limit_bytes',
      'overrides.yaml: overrides.acme.max_bytes_per_trace: legacy flat override key (Tempo 2.10 warns of a type mismatch, Tempo 3 refuses it); write it nested as overrides.acme.global.max_bytes_per_trace',
    ]);
    expect(problemsAfter((c) => (c.overrides.ingestion_rate_strategy = 'local'))).toEqual([
      'tempo.yaml: overrides.ingestion_rate_strategy: legacy flat override key (Tempo 2.10 warns of a type mismatch, Tempo 3 refuses it); write it nested as overrides.defaults.ingestion.rate_strategy',
    ]);
    expect(problemsAfter((_c, o) => delete o.overrides)).toEqual(['overrides.yaml: (top level): missing required field "overrides"']);
    expect(problemsAfter((_c, o) => (o.overrides.acme = { ingestion: { rate_strategy: 'shared' } }))[0]).toMatch(
      /overrides\.acme\.ingestion\.rate_strategy: expected one of "local", "global"/,
    );
  });
});

describe('the Tempo wiring rules', () => {
  it('the replication factor must not exceed the ingester replicas', () => {
    expect(problemsAfter((c) => (c.ingester.lifecycler.ring.replication_factor = 5))).toEqual([
      'tempo.yaml: ingester.lifecycler.ring.replication_factor: 3 ingester(s) (StatefulSet/tempo-stack-ingester-zone-a, StatefulSet/tempo-stack-ingester-zone-b, StatefulSet/tempo-stack-ingester-zone-c) for replication factor 5: every trace is written to 5 ingesters, so every push would fail; expected at least 5 ingesters',
    ]);
  });

  it('the metrics-generator has its WAL path, and a traces_storage path when local-blocks is on', () => {
    expect(problemsAfter((c) => delete c.metrics_generator.traces_storage)).toEqual([
      'tempo.yaml: metrics_generator.traces_storage.path: is not set, but overrides.defaults.metrics_generator.processors has local-blocks; expected a path on the generator volume',
    ]);
    expect(problemsAfter((c) => delete c.metrics_generator.storage.path)).toEqual([
      'tempo.yaml: metrics_generator.storage.path: is not set: Tempo disables the metrics-generator; expected a path on its volume',
    ]);
  });

  it('every receiver binds 0.0.0.0', () => {
    expect(problemsAfter((c) => (c.distributor.receivers.otlp.protocols.grpc.endpoint = 'localhost:4317'))).toEqual([
      'tempo.yaml: distributor.receivers.otlp.protocols.grpc.endpoint: "localhost:4317" binds localhost only: pods behind the Service cannot be reached; expected 0.0.0.0:4317',
    ]);
    expect(
      problemsAfter((c) => (c.distributor.receivers.jaeger.protocols.thrift_http = { tls: c.distributor.receivers.jaeger.protocols.thrift_http.tls })),
    ).toEqual([
      'tempo.yaml: distributor.receivers.jaeger.protocols.thrift_http.endpoint: is not set, so the receiver binds localhost only and other pods cannot reach it; expected 0.0.0.0:<port>',
    ]);
  });

  it('every receiver port is exposed by the distributor Service and container', () => {
    expect(problemsAfter((c) => (c.distributor.receivers.zipkin.endpoint = '0.0.0.0:9412'))).toEqual([
      'tempo.yaml: distributor.receivers.zipkin.endpoint: Service tempo-stack-distributor does not expose port 9412 (it exposes 3200, 4317, 4318, 14250, 14268, 9411)',
    ]);
  });

  it('memberlist joins the gossip Service, which reaches every ring member on the bind port', () => {
    expect(problemsAfter((c) => (c.memberlist.join_members = ['dns+tempo-stack-distributor.observability.svc.cluster.local:7946']))).toEqual([
      'tempo.yaml: memberlist.join_members[0]: is "dns+tempo-stack-distributor.observability.svc.cluster.local:7946"; expected the gossip Service "dns+tempo-stack-gossip-ring.observability.svc.cluster.local:7946"',
    ]);
    expect(
      problemsAfter((_c, _o, objects) => {
        const compactor = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tempo-stack-compactor');
        compactor.spec.template.spec.containers[0].ports = compactor.spec.template.spec.containers[0].ports.filter((p: Any) => p.name !== 'gossip-ring');
      }),
    ).toEqual([
      'tempo.yaml: memberlist.join_members: Service tempo-stack-gossip-ring port 7946 (targetPort gossip-ring) does not reach port 7946 of Deployment/tempo-stack-compactor',
    ]);
  });

  it('queriers dial the query-frontend discovery Service on the gRPC port', () => {
    expect(problemsAfter((c) => (c.querier.frontend_worker.frontend_address = 'tempo-stack-query-frontend.observability.svc.cluster.local:9095'))).toEqual([
      'tempo.yaml: querier.frontend_worker.frontend_address: is "tempo-stack-query-frontend.observability.svc.cluster.local:9095"; expected the query-frontend discovery Service "tempo-stack-query-frontend-discovery.observability.svc.cluster.local:9095"',
    ]);
  });

  it("Tempo's own ports are exposed by the component Services (gRPC where it is dialled) and containers", () => {
    const problems = problemsAfter((c) => (c.server.http_listen_port = 3300));
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe(
      'tempo.yaml: server.http_listen_port: Service tempo-stack-distributor does not expose port 3300 (it exposes 3200, 4317, 4318, 14250, 14268, 9411)',
    );
    // gRPC only where another component dials it (GRPC_SERVERS): ingester, metrics-generator, query-frontend.
    expect(
      problemsAfter((_c, _o, objects) => {
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'tempo-stack-ingester');
        svc.spec.ports.find((p: Any) => p.name === 'grpc').targetPort = 9096;
      }),
    ).toEqual([
      'tempo.yaml: server.grpc_listen_port: Service tempo-stack-ingester port 9095 (targetPort 9096) does not reach port 9095 of StatefulSet/tempo-stack-ingester-zone-a',
    ]);
  });

  it('memcached is dialled through its Service', () => {
    expect(problemsAfter((c) => (c.cache.caches[0].memcached.addresses = 'dns+memcached.default.svc.cluster.local:11211'))[0]).toMatch(
      /cache\.caches\[0\]\.memcached\.addresses: is "dns\+memcached\.default\.svc\.cluster\.local:11211"; expected the memcached Service/,
    );
  });
});

describe('the Tempo config inside the kustomize output', () => {
  it('is read from its ConfigMaps, rejecting duplicate keys', () => {
    const objects: Any[] = structuredClone(build('overlays/staging'));
    const cm = tempoConfigMap(objects);
    cm.data['tempo.yaml'] += 'stream_over_http_enabled: false\n';
    expect(builtTempoProblems(objects)).toEqual([
      { object: `ConfigMap/${cm.metadata.name}`, path: 'data["tempo.yaml"]', message: expect.stringMatching(/^YAML error: Map keys must be unique/) },
    ]);
    cm.data['tempo.yaml'] = cm.data['tempo.yaml'].replace(/stream_over_http_enabled: false\n$/, '').replace('0.0.0.0:4317', '127.0.0.1:4317');
    expect(parse(cm.data['tempo.yaml']).distributor.receivers.otlp.protocols.grpc.endpoint).toBe('127.0.0.1:4317');
    expect(builtTempoProblems(objects).map((p) => `${p.object}: ${p.path}: ${p.message}`)).toEqual([
      `ConfigMap/${cm.metadata.name}: data["tempo.yaml"].distributor.receivers.otlp.protocols.grpc.endpoint: "127.0.0.1:4317" binds 127.0.0.1 only: pods behind the Service cannot be reached; expected 0.0.0.0:4317`,
    ]);
  });
});
