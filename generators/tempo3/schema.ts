// JSON Schemas of the Tempo 3.0.3 configuration this repo renders for tempo.version 3.0 (tempo.yaml) and
// of its runtime overrides. Written by us from Tempo's v3.0.3 config structs (cmd/tempo/app/config.go and
// each module's config.go): the sections the repo renders, plus the sibling keys a user may plausibly set.
// Strict at every level, like Tempo's own parser. Keys 2.10 had and 3.0 removed are named in REMOVED_IN_3
// with what replaces them, so a refusal says where the setting went.
import {
  type Schema,
  obj,
  str,
  bool,
  int,
  num,
  port,
  strings,
  numbers,
  stringMap,
  oneOf,
  list,
  schemaKit,
  TLS_VERSIONS,
  dskitClientTls as dskitTls,
} from '../tempo/schema-kit';

const { definitions, shared, dur, promDur, endpoint, dskitServerTls } = schemaKit('tempo3-config');

/** vParquet3 and older are gone in 3.0 (its migration guide: upgrade the block format first). */
const BLOCK_VERSIONS = ['vParquet4', 'vParquet5'];
const CACHE_ROLES = ['bloom', 'trace-id-index', 'parquet-footer', 'parquet-column-idx', 'parquet-offset-idx', 'frontend-search', 'parquet-page'];
/** modules/generator/processor: local-blocks is gone (TraceQL metrics come from live-stores and queriers). */
const GENERATOR_PROCESSORS = ['service-graphs', 'span-metrics', 'span-metrics-count', 'span-metrics-latency', 'span-metrics-size', 'host-info'];
const kvstore = shared('kvstore', obj({ store: oneOf('memberlist', 'consul', 'etcd', 'inmemory', 'multi', ''), prefix: str }));
const ring = (extra: Record<string, Schema> = {}): Schema =>
  obj({
    kvstore,
    heartbeat_period: dur,
    heartbeat_timeout: dur,
    instance_id: str,
    instance_interface_names: strings,
    instance_port: int,
    instance_addr: str,
    enable_inet6: bool,
    instance_zone: str,
    ...extra,
  });

const tls = shared(
  'tlsServer',
  obj({ ca_file: str, cert_file: str, key_file: str, min_version: str, max_version: str, client_ca_file: str, reload_interval: dur }),
);
const grpcServer = shared(
  'grpcServer',
  obj({ endpoint, transport: oneOf('tcp', 'tcp4', 'tcp6', 'unix'), tls, max_recv_msg_size_mib: int, include_metadata: bool }),
);
const httpServer = (extra: Record<string, Schema> = {}): Schema =>
  obj({
    endpoint,
    tls,
    cors: obj({ allowed_origins: strings, allowed_headers: strings, max_age: int }),
    max_request_body_size: int,
    include_metadata: bool,
    ...extra,
  });
// dskit TLS as Tempo 3.0.3 vendors it (crypto/tls ClientConfig, server.TLSConfig; same keys as 2.10.8).
const dskitClientTls = { tls_enabled: bool, ...dskitTls };
/** dskit grpcclient.Config: live_store_client, backend_scheduler_client, querier.frontend_worker. */
const grpcClientConfig = shared(
  'grpcClientConfig',
  obj({
    max_recv_msg_size: int,
    max_send_msg_size: int,
    grpc_compression: oneOf('', 'gzip', 'snappy'),
    rate_limit: num,
    rate_limit_burst: int,
    backoff_on_ratelimits: bool,
    backoff_config: obj({ min_period: dur, max_period: dur, max_retries: int }),
    ...dskitClientTls,
    connect_timeout: dur,
    connect_backoff_base_delay: dur,
    connect_backoff_max_delay: dur,
  }),
);
const udpServer = shared('udpServer', obj({ endpoint, queue_size: int, max_packet_size: int, workers: int, socket_buffer_size: int }));
const receivers = obj({
  otlp: obj({ protocols: obj({ grpc: grpcServer, http: httpServer({ traces_url_path: str }) }) }),
  jaeger: obj({ protocols: obj({ grpc: grpcServer, thrift_http: httpServer(), thrift_binary: udpServer, thrift_compact: udpServer }) }),
  zipkin: httpServer({ parse_string_tags: bool }),
});

const dedicatedColumns = shared(
  'dedicatedColumns',
  list(
    obj(
      {
        scope: oneOf('span', 'resource', 'event'),
        name: { type: 'string', minLength: 1 },
        type: oneOf('string', 'int'),
        options: list(oneOf('array', 'blob')),
      },
      ['name'],
    ),
  ),
);
/** pkg/ingest/config.go: one address, SASL/PLAIN (both or neither), no TLS or mechanism keys. */
const kafka = obj(
  {
    address: endpoint,
    topic: { type: 'string', minLength: 1 },
    client_id: str,
    dial_timeout: dur,
    write_timeout: dur,
    sasl_username: str,
    sasl_password: str,
    consumer_group: str,
    consumer_group_offset_commit_interval: dur,
    last_produced_offset_retry_timeout: dur,
    auto_create_topic_enabled: bool,
    auto_create_topic_default_partitions: int,
    producer_max_record_size_bytes: int,
    producer_max_buffered_bytes: int,
    target_consumer_lag_at_startup: dur,
    max_consumer_lag_at_startup: dur,
    disable_kafka_telemetry: bool,
    consumer_group_lag_metric_update_interval: dur,
  },
  ['address', 'topic'],
);
const s3 = obj({
  bucket: str,
  prefix: str,
  endpoint: str,
  region: str,
  access_key: str,
  secret_key: str,
  session_token: str,
  insecure: bool,
  part_size: int,
  hedge_requests_at: dur,
  hedge_requests_up_to: int,
  retry_max_attempts: int,
  retry_backoff_initial: dur,
  retry_backoff_max: dur,
  signature_v2: bool,
  forcepathstyle: bool,
  enable_dual_stack: bool,
  bucket_lookup_type: int,
  tags: stringMap,
  storage_class: str,
  metadata: stringMap,
  native_aws_auth_enabled: bool,
  list_blocks_concurrency: int,
  sse: obj({ type: oneOf('SSE-S3', 'SSE-KMS', 'SSE-C'), kms_key_id: str, kms_encryption_context: str, encryption_key: str }),
  // The S3 client inlines dskit's tls.ClientConfig (tempodb/backend/s3/config.go).
  ...dskitTls,
});
const remoteWrite = obj(
  {
    url: { type: 'string', pattern: '^https?://', description: 'an http(s) URL' },
    name: str,
    remote_timeout: promDur,
    headers: stringMap,
    send_exemplars: bool,
    send_native_histograms: bool,
    basic_auth: obj({ username: str, username_file: str, password: str, password_file: str }),
    tls_config: obj({ ca_file: str, cert_file: str, key_file: str, server_name: str, insecure_skip_verify: bool }),
    queue_config: obj({
      capacity: int,
      max_shards: int,
      min_shards: int,
      max_samples_per_send: int,
      batch_send_deadline: promDur,
      min_backoff: promDur,
      max_backoff: promDur,
    }),
  },
  ['url'],
);
const compaction = obj({
  compaction_window: dur,
  max_compaction_objects: int,
  max_block_bytes: int,
  block_retention: dur,
  compacted_block_retention: dur,
  retention_concurrency: int,
  max_time_per_tenant: dur,
  compaction_cycle: dur,
});
const spanMetrics = { histogram_buckets: numbers, dimensions: strings, dimension_mappings: list(obj({ name: str, source_labels: strings, join: str })) };

const overridesSchema = obj({
  ingestion: obj({
    rate_strategy: oneOf('local', 'global'),
    rate_limit_bytes: int,
    burst_size_bytes: int,
    max_traces_per_user: int,
    max_global_traces_per_user: int,
    tenant_shard_size: int,
    max_attribute_bytes: int,
    artificial_delay: dur,
    retry_info_enabled: bool,
  }),
  read: obj({
    max_bytes_per_tag_values_query: int,
    max_blocks_per_tag_values_query: int,
    max_condition_groups_per_tag_query: int,
    max_search_duration: promDur,
    max_metrics_duration: promDur,
    unsafe_query_hints: bool,
  }),
  // compaction_disabled: a 3.x stack sharing the bucket with a running 2.x compactor (README "Tempo 3").
  compaction: obj({ block_retention: promDur, compaction_window: promDur, compaction_disabled: bool }),
  metrics_generator: obj({
    ring_size: int,
    processors: { type: 'array', uniqueItems: true, items: oneOf(...GENERATOR_PROCESSORS) },
    max_active_series: int,
    collection_interval: dur,
    disable_collection: bool,
    generate_native_histograms: oneOf('classic', 'native', 'both'),
    trace_id_label_name: str,
    remote_write_headers: stringMap,
    processor: obj({ service_graphs: obj({ histogram_buckets: numbers, dimensions: strings, peer_attributes: strings }), span_metrics: obj(spanMetrics) }),
  }),
  global: obj({ max_bytes_per_trace: int }),
  storage: obj({ parquet_dedicated_columns: dedicatedColumns }),
  cost_attribution: obj({ max_cardinality: int, dimensions: stringMap }),
});
const overrides = shared('overrides', overridesSchema);

export const tempo3ConfigSchema: Schema = {
  $id: 'tempo3-config',
  ...obj({
    target: str,
    multitenancy_enabled: bool,
    stream_over_http_enabled: bool,
    http_api_prefix: str,
    memory: obj({ automemlimit_enabled: bool, automemlimit_ratio: num }),
    server: obj({
      http_listen_address: str,
      http_listen_port: port,
      grpc_listen_address: str,
      grpc_listen_port: port,
      graceful_shutdown_timeout: dur,
      grpc_server_max_recv_msg_size: int,
      grpc_server_max_send_msg_size: int,
      log_format: oneOf('logfmt', 'json'),
      log_level: oneOf('debug', 'info', 'warn', 'error'),
      tls_cipher_suites: str,
      tls_min_version: oneOf(...TLS_VERSIONS),
      http_tls_config: dskitServerTls,
      grpc_tls_config: dskitServerTls,
    }),
    memberlist: obj({
      node_name: str,
      randomize_node_name: bool,
      pull_push_interval: dur,
      gossip_interval: dur,
      advertise_addr: str,
      advertise_port: port,
      cluster_label: str,
      cluster_label_verification_disabled: bool,
      join_members: strings,
      abort_if_cluster_join_fails: bool,
      bind_addr: strings,
      bind_port: port,
      leave_timeout: dur,
      ...dskitClientTls,
    }),
    distributor: obj({ ring: ring(), receivers, override_ring_key: str, retry_after_on_resource_exhausted: dur, max_attribute_bytes: int }),
    ingest: obj({ kafka }, ['kafka']),
    live_store: obj({
      ring: ring(),
      partition_ring: obj({ kvstore, min_partition_owners_count: int, min_partition_owners_duration: dur, delete_inactive_partition_after: dur }),
      metrics: obj({ time_overlap_cutoff: num }),
      commit_interval: dur,
      wal: obj({ path: str, ingestion_time_range_slack: dur }),
      query_block_concurrency: int,
      complete_block_timeout: dur,
      complete_block_concurrency: int,
      block_reclaim_grace: dur,
      shutdown_marker_dir: str,
      flush_check_period: dur,
      flush_op_timeout: dur,
      max_trace_live: dur,
      max_trace_idle: dur,
      max_live_traces_bytes: int,
      max_block_duration: dur,
      max_block_bytes: int,
      readiness_target_lag: dur,
      readiness_max_wait: dur,
      fail_on_high_lag: bool,
      remove_owner_on_shutdown: bool,
    }),
    live_store_client: obj({ remote_timeout: dur, grpc_client_config: grpcClientConfig }),
    backend_scheduler_client: obj({ grpc_client_config: grpcClientConfig }),
    block_builder: obj({
      instance_id: str,
      assigned_partitions: { type: 'object', additionalProperties: { type: 'array', items: int } },
      partitions_per_instance: { type: 'integer', minimum: 1 },
      consume_cycle_duration: dur,
      max_consuming_bytes: int,
      block: obj({ max_block_bytes: int }),
      wal: obj({ path: str, ingestion_time_range_slack: dur }),
    }),
    querier: obj({
      search: obj({ query_timeout: dur }),
      trace_by_id: obj({ query_timeout: dur }),
      metrics: obj({ concurrent_blocks: int, time_overlap_cutoff: num }),
      partition_ring: obj({ minimize_requests: bool, hedging_delay: dur }),
      max_concurrent_queries: int,
      frontend_worker: obj({
        frontend_address: endpoint,
        dns_lookup_duration: dur,
        parallelism: int,
        match_max_concurrent: bool,
        id: str,
        grpc_client_config: grpcClientConfig,
      }),
    }),
    query_frontend: obj({
      max_outstanding_per_tenant: int,
      max_batch_size: int,
      max_retries: int,
      multi_tenant_queries_enabled: bool,
      query_end_cutoff: dur,
      search: obj({
        concurrent_jobs: int,
        target_bytes_per_job: int,
        default_result_limit: int,
        max_result_limit: int,
        max_duration: dur,
        query_backend_after: dur,
        most_recent_shards: int,
        default_spans_per_span_set: int,
        max_spans_per_span_set: int,
      }),
      trace_by_id: obj({ query_shards: int }),
      metrics: obj({ concurrent_jobs: int, target_bytes_per_job: int, max_duration: dur, query_backend_after: dur, interval: dur, max_exemplars: int }),
    }),
    metrics_generator: obj({
      ring: ring(),
      ring_mode: oneOf('partition', 'generator'),
      instance_id: str,
      leave_consumer_group_on_shutdown: bool,
      processor: obj({
        service_graphs: obj({
          histogram_buckets: numbers,
          dimensions: strings,
          peer_attributes: strings,
          wait: dur,
          max_items: int,
          workers: int,
          span_multiplier_key: str,
        }),
        span_metrics: obj({ ...spanMetrics, span_multiplier_key: str, enable_target_info: bool }),
        host_info: obj({ host_identifiers: strings, metric_name: str }),
      }),
      registry: obj({ collection_interval: dur, stale_duration: dur, external_labels: stringMap, inject_tenant_id_as: str }),
      storage: obj({ path: str, remote_write_flush_deadline: dur, remote_write_add_org_id_header: bool, remote_write: list(remoteWrite) }),
      metrics_ingestion_time_range_slack: dur,
    }),
    backend_scheduler: obj({
      work: obj({ prune_age: dur, dead_job_timeout: dur }),
      maintenance_interval: dur,
      backend_flush_interval: dur,
      provider: obj({
        retention: obj({ interval: dur }),
        compaction: obj({
          measure_interval: dur,
          compaction,
          max_jobs_per_tenant: int,
          min_input_blocks: int,
          max_input_blocks: int,
          max_compaction_level: int,
          min_cycle_interval: dur,
        }),
      }),
      job_timeout: dur,
      local_work_path: str,
    }),
    backend_worker: obj({
      backend_scheduler_addr: endpoint,
      backoff: obj({ min_period: dur, max_period: dur, max_retries: int }),
      compaction,
      ring: ring({ wait_stability_min_duration: dur, wait_stability_max_duration: dur, wait_active_instance_timeout: dur }),
      finish_on_shutdown_timeout: dur,
    }),
    storage: obj({
      trace: obj({
        backend: oneOf('s3', 'gcs', 'azure', 'local'),
        s3,
        local: obj({ path: str }),
        wal: obj({ path: str, ingestion_time_range_slack: dur }),
        block: obj({
          version: oneOf(...BLOCK_VERSIONS),
          bloom_filter_false_positive: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          bloom_filter_shard_size_bytes: int,
          parquet_row_group_size_bytes: int,
          parquet_dedicated_columns: dedicatedColumns,
        }),
        pool: obj({ max_workers: int, queue_depth: int }),
        blocklist_poll: dur,
        blocklist_poll_concurrency: int,
        blocklist_poll_tenant_index_builders: int,
        blocklist_poll_stale_tenant_index: dur,
      }),
    }),
    cache: obj({
      background: obj({ writeback_goroutines: int, writeback_buffer: int }),
      caches: list(
        obj(
          {
            roles: { type: 'array', minItems: 1, uniqueItems: true, items: oneOf(...CACHE_ROLES) },
            memcached: obj({
              addresses: str,
              timeout: dur,
              max_idle_conns: int,
              max_item_size: int,
              update_interval: dur,
              consistent_hash: bool,
              ...dskitClientTls,
            }),
          },
          ['roles'],
        ),
      ),
    }),
    overrides: obj({ defaults: overrides, per_tenant_override_config: str, per_tenant_override_period: promDur, enable_legacy_overrides: bool }),
    usage_report: obj({ reporting_enabled: bool }),
  }),
  definitions,
};

export const tempo3OverridesSchema: Schema = {
  $id: 'tempo3-runtime-overrides',
  ...obj({ overrides: { type: 'object', additionalProperties: overrides } }, ['overrides']),
};

/**
 * 2.10.8 keys that 3.0.3 refuses (`field <x> not found`, checked with its -config.verify), and what replaces
 * each; the longest matching prefix names it.
 */
export const REMOVED_IN_3: Record<string, string> = {
  ingester: 'live_store (max_block_duration, max_block_bytes, complete_block_timeout; trace_idle_period is max_trace_idle); Kafka is the WAL',
  'ingester.lifecycler': 'live_store.ring and live_store.partition_ring (every zone consumes every partition: no replication factor)',
  ingester_client: 'live_store_client',
  compactor: 'backend_scheduler.provider.compaction and backend_worker.compaction (same keys)',
  'compactor.ring': 'backend_worker.ring',
  'metrics_generator.processor.local_blocks': 'none: TraceQL metrics are served by the live-stores (live_store.metrics) and the queriers (querier.metrics)',
  'metrics_generator.traces_storage': 'none: the block-builders write the blocks TraceQL metrics read',
  'metrics_generator.traces_query_storage': 'none: the block-builders write the blocks TraceQL metrics read',
  'query_frontend.search.query_ingesters_until': 'query_frontend.search.query_backend_after and query_frontend.query_end_cutoff',
  'distributor.kafka_write_path_enabled': 'none: the Kafka write path is the only one (ingest.kafka)',
  'storage.trace.block.v2_encoding': 'none: the v2 block format is gone',
  'storage.trace.block.search_encoding': 'none: the v2 block format is gone',
};
