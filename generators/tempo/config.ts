// Tempo 2.10.8 configuration (tempo.yaml) and runtime overrides (overrides.yaml) for one environment.
// Every key exists in Tempo 2.10.8 (Tempo refuses to start on an unknown key); schema.ts checks that and
// rules.ts the wiring on every render.
import { type ReceiverName, receiverPort } from '../components/distributor';
import { MEMCACHED_PORT } from '../components/memcached';
import { SAMPLING_RATIO_ATTRIBUTE } from '../components/sampling';
import { S3_ENV } from '../credentials';
import type { Environment } from '../environment/index';
import type { EnvironmentSettings, IngestionLimits } from '../environment/settings';
import { tempo3Config } from '../tempo3/config';
import { objectName, serviceHost } from '../stack';
import { PATHS, SERVICES, TEMPO_PORTS } from './facts';

const receiver = (name: ReceiverName) => ({ endpoint: `0.0.0.0:${receiverPort(name)}` });

const memberlistKv = { kvstore: { store: 'memberlist' } };

/** tempo.yaml of the version the environment runs (3.0: generators/tempo3/config.ts). */
export function tempoConfig(env: Environment): Record<string, unknown> {
  return env.tempo.version === '3.0' ? tempo3Config(env, tempo210Config(env)) : tempo210Config(env);
}

function tempo210Config(env: EnvironmentSettings): Record<string, unknown> {
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
    },
    memberlist: {
      join_members: [`dns+${serviceHost(SERVICES.gossip)}:${TEMPO_PORTS.gossip}`],
      bind_port: TEMPO_PORTS.gossip,
      abort_if_cluster_join_fails: false,
    },
    distributor: {
      ring: memberlistKv,
      receivers: {
        otlp: { protocols: { grpc: receiver('otlp-grpc'), http: receiver('otlp-http') } },
        jaeger: { protocols: { grpc: receiver('jaeger-grpc'), thrift_http: receiver('jaeger-http') } },
        zipkin: receiver('zipkin'),
      },
    },
    ingester: {
      lifecycler: { ring: { ...memberlistKv, replication_factor: env.tempo.replicationFactor } },
      // Cut blocks on shutdown so a rollout never strands data in a WAL.
      flush_all_on_shutdown: true,
    },
    querier: {
      frontend_worker: { frontend_address: `${serviceHost(SERVICES.queryFrontendDiscovery)}:${TEMPO_PORTS.grpc}` },
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
      registry: { external_labels: { source: 'tempo', cluster: env.cluster.name } },
      storage: {
        path: `${PATHS.data}/generator/wal`,
        remote_write: [{ url: env.metricsGenerator.remoteWriteUrl, send_exemplars: true }],
      },
      ...generatorProcessors(env),
      ...(env.metricsGenerator.processors.includes('local-blocks') ? { traces_storage: { path: `${PATHS.data}/generator/traces` } } : {}),
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
                  addresses: `dns+${serviceHost(objectName('memcached'))}:${MEMCACHED_PORT}`,
                  consistent_hash: true,
                  timeout: '500ms',
                  max_idle_conns: 100,
                },
              },
            ],
          },
        }
      : {}),
    overrides: {
      defaults: {
        ingestion: ingestion(env.limits.defaults),
        global: { max_bytes_per_trace: env.limits.defaults.maxBytesPerTrace },
        metrics_generator: { processors: env.metricsGenerator.processors },
      },
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
      ...(env.metricsGenerator.processors.includes('local-blocks') ? { local_blocks: { filter_server_spans: false, flush_to_storage: true } } : {}),
    },
  };
}

function ingestion(l: Partial<IngestionLimits>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (l.rateStrategy !== undefined) out.rate_strategy = l.rateStrategy;
  if (l.rateLimitBytes !== undefined) out.rate_limit_bytes = l.rateLimitBytes;
  if (l.burstSizeBytes !== undefined) out.burst_size_bytes = l.burstSizeBytes;
  if (l.maxTracesPerUser !== undefined) out.max_traces_per_user = l.maxTracesPerUser;
  return out;
}

/** Runtime overrides in the nested format (the legacy flat one is deprecated and refused by Tempo 3). */
export function runtimeOverrides(env: EnvironmentSettings): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [tenant, limits] of Object.entries(env.limits.tenants).sort(([a], [b]) => a.localeCompare(b))) {
    const ing = ingestion(limits);
    overrides[tenant] = {
      ...(Object.keys(ing).length ? { ingestion: ing } : {}),
      ...(limits.maxBytesPerTrace !== undefined ? { global: { max_bytes_per_trace: limits.maxBytesPerTrace } } : {}),
    };
  }
  return { overrides };
}
