// Tempo 2.10.8 configuration (tempo.yaml) and runtime overrides (overrides.yaml) for one environment.
// Every key exists in Tempo 2.10.8 (Tempo refuses to start on an unknown key); schema.ts checks that and
// rules.ts the wiring on every render.
import { type ReceiverName, receiverPort } from '../components/distributor';
import { MEMCACHED_PORT } from '../components/memcached';
import { SAMPLING_RATIO_ATTRIBUTE } from '../components/sampling';
import { zoneAware } from '../components/rollout-operator';
import { AVAILABILITY_ZONE_ENV } from '../components/zones';
import { S3_ENV } from '../credentials';
import type { Environment } from '../environment/index';
import type { EnvironmentSettings } from '../environment/settings';
import { tenantBlocks } from '../environment/tenants';
import { tempo3Config, tempo3RuntimeOverrides } from '../tempo3/config';
import { objectName, serviceHost } from '../stack';
import { PATHS, SERVICES, TEMPO_PORTS } from './facts';
import { TENANT_LABEL, overridesDefaults, runtimeOverrides as runtimeOverrides210 } from './overrides';
import { clientTls, grpcClient, receiverTls, serverTls } from './tls-config';

const receiver = (env: EnvironmentSettings, name: ReceiverName) => ({ endpoint: `0.0.0.0:${receiverPort(name)}`, ...receiverTls(env) });

const memberlistKv = { kvstore: { store: 'memberlist' } };

/**
 * Zone-aware ingesters: each pod names its zone (AVAILABILITY_ZONE, set per zone StatefulSet and expanded by
 * -config.expand-env, so one ConfigMap serves every zone) and the ring (read by distributors and queriers)
 * puts a trace's replication_factor copies in that many distinct zones.
 */
function ingesterZones(env: Environment): { ring: Record<string, unknown>; lifecycler: Record<string, unknown> } {
  if (!zoneAware(env)) return { ring: {}, lifecycler: {} };
  return { ring: { zone_awareness_enabled: true }, lifecycler: { availability_zone: `\${${AVAILABILITY_ZONE_ENV}}` } };
}

/** tempo.yaml of the version the environment runs (3.0: generators/tempo3/config.ts). */
export function tempoConfig(env: Environment): Record<string, unknown> {
  return env.tempo.version === '3.0' ? tempo3Config(env, tempo210Config(env)) : tempo210Config(env);
}

/** overrides.yaml of the version the environment runs. */
export function runtimeOverrides(env: Environment): Record<string, unknown> {
  const from2 = runtimeOverrides210(env) as { overrides: Record<string, unknown> };
  return env.tempo.version === '3.0' ? tempo3RuntimeOverrides(env, from2) : from2;
}

function tempo210Config(env: Environment): Record<string, unknown> {
  const zones = ingesterZones(env);
  const s3: Record<string, unknown> = {
    bucket: env.s3.bucket,
    prefix: env.s3.prefix,
    endpoint: `s3.${env.aws.region}.amazonaws.com${env.aws.region.startsWith('cn-') ? '.cn' : ''}`,
    region: env.aws.region,
    // Static keys only in externalSecrets mode; with IRSA the AWS SDK chain finds the web identity.
    ...(env.s3.credentials === 'externalSecrets' ? { access_key: `\${${S3_ENV.accessKey}}`, secret_key: `\${${S3_ENV.secretKey}}` } : {}),
    sse: env.s3.sse === 'SSE-KMS' ? { type: 'SSE-KMS', kms_key_id: env.s3.kmsKeyId } : { type: 'SSE-S3' },
  };
  return {
    multitenancy_enabled: env.features.multitenancy,
    stream_over_http_enabled: true,
    usage_report: { reporting_enabled: env.features.usageReport },
    server: {
      http_listen_port: TEMPO_PORTS.http,
      grpc_listen_port: TEMPO_PORTS.grpc,
      log_level: env.tempo.logLevel,
      ...serverTls(env),
    },
    memberlist: {
      join_members: [`dns+${serviceHost(env, SERVICES.gossip)}:${TEMPO_PORTS.gossip}`],
      bind_port: TEMPO_PORTS.gossip,
      abort_if_cluster_join_fails: false,
      // Gossip is encrypted and the member's certificate checked; dskit asks no certificate of the dialer.
      ...(env.tls.enabled ? clientTls(env, SERVICES.gossip) : {}),
    },
    ...(env.tls.enabled
      ? {
          // Distributor and querier -> ingesters and metrics-generators.
          ingester_client: grpcClient(env, objectName('ingester')),
          metrics_generator_client: grpcClient(env, objectName('metrics-generator')),
        }
      : {}),
    distributor: {
      ring: memberlistKv,
      receivers: {
        otlp: { protocols: { grpc: receiver(env, 'otlp-grpc'), http: receiver(env, 'otlp-http') } },
        jaeger: { protocols: { grpc: receiver(env, 'jaeger-grpc'), thrift_http: receiver(env, 'jaeger-http') } },
        zipkin: receiver(env, 'zipkin'),
      },
    },
    ingester: {
      lifecycler: { ring: { ...memberlistKv, replication_factor: env.tempo.replicationFactor, ...zones.ring }, ...zones.lifecycler },
      // Cut blocks on shutdown so a rollout never strands data in a WAL.
      flush_all_on_shutdown: true,
    },
    querier: {
      frontend_worker: {
        frontend_address: `${serviceHost(env, SERVICES.queryFrontendDiscovery)}:${TEMPO_PORTS.grpc}`,
        ...grpcClient(env, SERVICES.queryFrontendDiscovery),
      },
    },
    query_frontend: {
      max_outstanding_per_tenant: 2000,
      max_retries: 2,
      search: { concurrent_jobs: 1000, target_bytes_per_job: 104857600 },
      trace_by_id: { query_shards: 50 },
    },
    compactor: {
      ring: memberlistKv,
      compaction: { block_retention: env.retention.text, compacted_block_retention: '1h' },
    },
    metrics_generator: {
      ring: memberlistKv,
      registry: {
        external_labels: { source: 'tempo', cluster: env.cluster.name },
        // Tenants' span metrics apart in one Prometheus (the per-tenant Grafana data sources filter on it).
        ...(env.features.multitenancy ? { inject_tenant_id_as: TENANT_LABEL } : {}),
      },
      storage: {
        path: `${PATHS.data}/generator/wal`,
        remote_write: [{ url: env.metricsGenerator.remoteWriteUrl, send_exemplars: true }],
      },
      ...generatorProcessors(env),
      ...(usesLocalBlocks(env) ? { traces_storage: { path: `${PATHS.data}/generator/traces` } } : {}),
    },
    storage: {
      trace: {
        backend: 's3',
        s3,
        wal: { path: `${PATHS.data}/wal` },
        block: {
          version: env.tempo.blockVersion,
          // Parquet blocks compress their columns themselves (snappy); v2_encoding would only touch
          // legacy v2 blocks, so it is not set.
          bloom_filter_false_positive: 0.01,
          bloom_filter_shard_size_bytes: 102400,
          parquet_dedicated_columns: env.dedicatedColumns.map((c) => ({ scope: c.scope, name: c.name, type: c.type })),
        },
      },
    },
    ...(env.features.memcached
      ? {
          cache: {
            caches: [
              {
                roles: ['bloom', 'parquet-footer', 'frontend-search'],
                memcached: {
                  addresses: `dns+${serviceHost(env, objectName('memcached'))}:${MEMCACHED_PORT}`,
                  consistent_hash: true,
                  timeout: '500ms',
                  max_idle_conns: 100,
                  // memcached requires a client certificate (ssl_verify_mode 2, components/memcached.ts).
                  ...(env.tls.enabled ? clientTls(env, objectName('memcached')) : {}),
                },
              },
            ],
          },
        }
      : {}),
    overrides: {
      defaults: overridesDefaults(env),
      per_tenant_override_config: `${PATHS.overrides}/overrides.yaml`,
      per_tenant_override_period: '10s',
    },
  };
}

/**
 * Processor settings: span metrics and service graphs count each span 1/probability times, reading the
 * probability the collector agent recorded on its resource when it sampled it (components/sampling.ts;
 * absent: counted once). TraceQL metrics read recent data from the local blocks (flushed, RF1, to S3).
 */
function generatorProcessors(env: EnvironmentSettings): Record<string, unknown> {
  const multiplier = { span_multiplier_key: SAMPLING_RATIO_ATTRIBUTE };
  return {
    processor: {
      service_graphs: multiplier,
      span_metrics: multiplier,
      ...(usesLocalBlocks(env) ? { local_blocks: { filter_server_spans: false, flush_to_storage: true } } : {}),
    },
  };
}

/** Whether any tenant (the defaults included) runs the local-blocks processor. */
const usesLocalBlocks = (env: EnvironmentSettings) =>
  env.metricsGenerator.processors.includes('local-blocks') || tenantBlocks(env).some((b) => b.settings.processors.includes('local-blocks'));
