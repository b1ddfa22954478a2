// Tempo 3.0.3 configuration (tempo.yaml) for tempo.version 3.0. What carries over from 2.10 unchanged
// (server, memberlist, receivers, querier, query-frontend, storage, cache, overrides: Tempo's migration
// guide says the same) is taken from the 2.10 config; the ingester, compactor and local-blocks settings go,
// and the Kafka ingest path, live-stores, block-builders, backend-scheduler and -workers come in. Every
// key is checked against schema.ts (3.0.3) on each render.
import type { Environment } from '../environment/index';
import { KAFKA_ENV, kafkaAddress, livePartitions } from '../kafka/facts';
import { LIVE_STORE_ZONES } from '../components/live-store';
import { objectName, serviceHost } from '../stack';
import { grpcClient } from '../tempo/tls-config';
import { PATHS, TEMPO_PORTS } from '../tempo/facts';

/** Gossip of this stack only: a 2.10 stack beside it (no label) and this one never join each other's rings. */
export const TEMPO3_CLUSTER_LABEL = 'tempo3';
/** Where each 3.x target keeps its files, under the pod's data volume (PVC for live-stores and the scheduler). */
export const TEMPO3_PATHS = {
  liveStoreWal: `${PATHS.data}/live-store/traces`,
  liveStoreShutdownMarker: `${PATHS.data}/live-store/shutdown-marker`,
  blockBuilderWal: `${PATHS.data}/block-builder/traces`,
  schedulerWork: `${PATHS.data}/backend-scheduler`,
} as const;

type Config = Record<string, unknown> & { [section: string]: unknown };
const section = (c: Config, key: string): Record<string, unknown> => (c[key] ?? {}) as Record<string, unknown>;

/** `from2`: this environment's 2.10 config (tempo/config.ts), whose common sections carry over. */
export function tempo3Config(env: Environment, from2: Record<string, unknown>): Record<string, unknown> {
  // 2.10's gRPC clients go with their servers (ingesters; the generators now read Kafka): 3.0 has its own.
  const { ingester: _i, compactor: _c, ingester_client: _ic, metrics_generator_client: _gc, ...common } = structuredClone(from2) as Config;
  const { traces_storage: _local, ...generator } = section(common, 'metrics_generator');
  const { local_blocks: _blocks, ...processor } = section(generator, 'processor') as Record<string, unknown>;
  const overrides = section(common, 'overrides') as { defaults?: { metrics_generator?: { processors?: string[] } } };
  const processors = overrides.defaults?.metrics_generator?.processors;
  if (processors) overrides.defaults!.metrics_generator!.processors = processors.filter((p) => p !== 'local-blocks');
  if (env.beside) disableCompaction(overrides.defaults as Record<string, unknown>);
  const retention = { block_retention: env.retention.text, compacted_block_retention: '1h' };
  const partitions = livePartitions(env);
  return {
    ...common,
    memberlist: { ...section(common, 'memberlist'), cluster_label: TEMPO3_CLUSTER_LABEL },
    // Querier -> live-stores (ring members, dialled by pod IP: checked under zone-a's Service name, which
    // the one live-store Certificate carries for both zones) and backend-worker -> backend-scheduler.
    ...(env.tls.enabled
      ? {
          live_store_client: grpcClient(env, `${objectName('live-store')}-${LIVE_STORE_ZONES[0]}`),
          backend_scheduler_client: grpcClient(env, objectName('backend-scheduler')),
        }
      : {}),
    ingest: {
      kafka: {
        address: kafkaAddress(env),
        topic: env.kafka.topic,
        // Else every client ALTERs the broker-wide num.partitions (1000 by default) at start.
        auto_create_topic_enabled: false,
        ...(env.kafka.cluster === 'external' && env.kafka.external.sasl
          ? { sasl_username: `\${${KAFKA_ENV.username}}`, sasl_password: `\${${KAFKA_ENV.password}}` }
          : {}),
      },
    },
    // Instance ids are the pod names (Tempo's default, the hostname): -<n> is the partition, the rest the consumer group.
    live_store: {
      ring: { kvstore: { store: 'memberlist' } },
      partition_ring: { kvstore: { store: 'memberlist' } },
      wal: { path: TEMPO3_PATHS.liveStoreWal },
      shutdown_marker_dir: TEMPO3_PATHS.liveStoreShutdownMarker,
    },
    block_builder: {
      // block-builder-<n> consumes partitions [n*k, n*k+k): every partition is built exactly once.
      partitions_per_instance: partitions / env.components['block-builder'].replicas,
      wal: { path: TEMPO3_PATHS.blockBuilderWal },
    },
    metrics_generator: { ...generator, processor },
    backend_scheduler: { local_work_path: TEMPO3_PATHS.schedulerWork, provider: { compaction: { compaction: retention } } },
    backend_worker: {
      backend_scheduler_addr: `${serviceHost(env, objectName('backend-scheduler'))}:${TEMPO_PORTS.grpc}`,
      compaction: retention,
    },
  };
}

/**
 * overrides.yaml for 3.0: the 2.10 blocks without the local-blocks processor a tenant inherits from the
 * defaults (3.0.3 has none and fails the overrides update). One a tenant sets itself stays, and the 3.0
 * checks refuse it naming the tenant's field.
 */
export function tempo3RuntimeOverrides(env: Environment, from2: { overrides: Record<string, unknown> }): Record<string, unknown> {
  const blocks = structuredClone(from2.overrides) as Record<string, { metrics_generator: { processors: string[] } }>;
  for (const [tenant, block] of Object.entries(blocks)) {
    if (!env.limits.tenants[tenant]?.processors) block.metrics_generator.processors = block.metrics_generator.processors.filter((p) => p !== 'local-blocks');
    if (env.beside) disableCompaction(block);
  }
  return { overrides: blocks };
}

/**
 * A dual run's 3.x stack neither compacts nor applies retention (3.0.3's backend-scheduler skips both for a
 * tenant with compaction_disabled): the 2.10 compactor owns the shared blocks until it is removed. In the
 * defaults and in every tenant block, since Tempo uses a tenant's block whole (upstream's migration guide).
 */
function disableCompaction(block: Record<string, unknown>): void {
  block.compaction = { ...(block.compaction as Record<string, unknown>), compaction_disabled: true };
}
