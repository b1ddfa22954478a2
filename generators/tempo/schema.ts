// JSON Schemas of the Tempo 2.10.8 configuration this repo renders (tempo.yaml) and of the runtime
// overrides file (overrides.yaml). Written by us from Tempo's v2.10.8 config structs: the sections the repo
// uses, plus the sibling keys a user may plausibly set. Strict at every level: Tempo refuses to start on an
// unknown key, so a key missing here is either a typo or needs adding (after checking it exists in 2.10.8).
type Schema = Record<string, unknown>;

const GO_DURATION = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
// Prometheus-style durations (model.Duration): also d, w, y; whole numbers only.
const PROM_DURATION = '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$';

/** Shared parts are definitions referenced by name: compiled once (ajv with inlineRefs false), not per use. */
const definitions: Record<string, Schema> = {};
const shared = (name: string, schema: Schema): Schema => {
  definitions[name] = schema;
  return { $ref: `tempo-config#/definitions/${name}` };
};

const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  properties,
});
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer', minimum: 0 };
const num: Schema = { type: 'number', minimum: 0 };
const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };
const strings: Schema = { type: 'array', items: str };
const numbers: Schema = { type: 'array', items: num };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const oneOf = (...values: string[]): Schema => ({ enum: values });
const list = (items: Schema): Schema => ({ type: 'array', items });
const dur = shared('duration', { type: 'string', pattern: GO_DURATION, description: 'a Go duration such as 500ms, 30s, 5m or 336h (no "d" unit)' });
const promDur = shared('promDuration', { type: 'string', pattern: PROM_DURATION, description: 'a duration such as 30s, 5m, 336h or 14d' });
/** `host:port`, the form of every receiver endpoint. */
const endpoint = shared('endpoint', { type: 'string', pattern: '^[^\\s:]*:[0-9]{1,5}$', description: 'an address "host:port" such as 0.0.0.0:4317' });

const BLOCK_VERSIONS = ['v2', 'vParquet3', 'vParquet4', 'vParquet5'];
/** tempodb/backend encodings. */
const ENCODINGS = ['none', 'gzip', 'lz4-64k', 'lz4-256k', 'lz4-1M', 'lz4', 'snappy', 'zstd', 's2'];
const CACHE_ROLES = ['bloom', 'trace-id-index', 'parquet-footer', 'parquet-column-idx', 'parquet-offset-idx', 'frontend-search', 'parquet-page'];
const SSE_TYPES = ['SSE-S3', 'SSE-KMS', 'SSE-C'];
const GENERATOR_PROCESSORS = ['service-graphs', 'span-metrics', 'span-metrics-count', 'span-metrics-latency', 'span-metrics-size', 'local-blocks', 'host-info'];
const encoding = shared('encoding', oneOf(...ENCODINGS));
const kvstore = shared('kvstore', obj({ store: oneOf('memberlist', 'consul', 'etcd', 'inmemory', 'multi'), prefix: str }));

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
    ...extra,
  });

// OpenTelemetry receivers (the collector's configgrpc/confighttp server settings Tempo vendors).
const tls = shared(
  'tlsServer',
  obj({
    ca_file: str,
    ca_pem: str,
    cert_file: str,
    cert_pem: str,
    key_file: str,
    key_pem: str,
    include_system_ca_certs_pool: bool,
    min_version: str,
    max_version: str,
    cipher_suites: strings,
    reload_interval: dur,
    curve_preferences: strings,
    client_ca_file: str,
    client_ca_file_reload: bool,
  }),
);
const grpcServer = shared(
  'grpcServer',
  obj({
    endpoint,
    transport: oneOf('tcp', 'tcp4', 'tcp6', 'unix'),
    tls,
    max_recv_msg_size_mib: int,
    max_concurrent_streams: int,
    read_buffer_size: int,
    write_buffer_size: int,
    include_metadata: bool,
  }),
);
const httpServer = (extra: Record<string, Schema> = {}): Schema =>
  obj({
    endpoint,
    tls,
    cors: obj({ allowed_origins: strings, allowed_headers: strings, max_age: int }),
    max_request_body_size: int,
    include_metadata: bool,
    compression_algorithms: strings,
    read_timeout: dur,
    read_header_timeout: dur,
    write_timeout: dur,
    idle_timeout: dur,
    keep_alives_enabled: bool,
    ...extra,
  });
const udpServer = shared('udpServer', obj({ endpoint, queue_size: int, max_packet_size: int, workers: int, socket_buffer_size: int }));
const receivers = obj({
  otlp: obj({ protocols: obj({ grpc: grpcServer, http: httpServer({ traces_url_path: str }) }) }),
  jaeger: obj({ protocols: obj({ grpc: grpcServer, thrift_http: httpServer(), thrift_binary: udpServer, thrift_compact: udpServer }) }),
  zipkin: httpServer({ parse_string_tags: bool }),
});

// dskit TLS (crypto/tls ClientConfig, server.TLSConfig) as Tempo 2.10.8 vendors it.
const dskitClientTls = {
  tls_cert_path: str,
  tls_key_path: str,
  tls_ca_path: str,
  tls_server_name: str,
  tls_insecure_skip_verify: bool,
  tls_cipher_suites: str,
  tls_min_version: oneOf('VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'),
};
const dskitServerTls = shared(
  'dskitServerTls',
  obj({
    cert: str,
    key: str,
    client_ca: str,
    cert_file: str,
    key_file: str,
    client_ca_file: str,
    client_auth_type: oneOf('NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'),
  }),
);
/** dskit grpcclient.Config: ingester_client, metrics_generator_client, querier.frontend_worker. */
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
    tls_enabled: bool,
    ...dskitClientTls,
    connect_timeout: dur,
    connect_backoff_base_delay: dur,
    connect_backoff_max_delay: dur,
  }),
);
const componentClient = obj({ remote_timeout: dur, grpc_client_config: grpcClientConfig });

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

const block = obj({
  version: oneOf(...BLOCK_VERSIONS),
  bloom_filter_false_positive: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
  bloom_filter_shard_size_bytes: int,
  search_encoding: encoding,
  search_page_size_bytes: int,
  v2_index_downsample_bytes: int,
  v2_index_page_size_bytes: int,
  v2_encoding: encoding,
  parquet_row_group_size_bytes: int,
  parquet_dedicated_columns: dedicatedColumns,
});

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
  signature_v2: bool,
  forcepathstyle: bool,
  enable_dual_stack: bool,
  bucket_lookup_type: int,
  tags: stringMap,
  storage_class: str,
  metadata: stringMap,
  native_aws_auth_enabled: bool,
  list_blocks_concurrency: int,
  sse: obj({ type: oneOf(...SSE_TYPES), kms_key_id: str, kms_encryption_context: str, encryption_key: str }),
  tls_cert_path: str,
  tls_key_path: str,
  tls_ca_path: str,
  tls_server_name: str,
  tls_insecure_skip_verify: bool,
  tls_cipher_suites: str,
  tls_min_version: str,
});

// Prometheus remote_write (Tempo uses Prometheus' own RemoteWriteConfig).
const remoteWrite = obj(
  {
    url: { type: 'string', pattern: '^https?://', description: 'an http(s) URL' },
    name: str,
    remote_timeout: promDur,
    headers: stringMap,
    send_exemplars: bool,
    send_native_histograms: bool,
    round_robin_dns: bool,
    write_relabel_configs: list(obj({ source_labels: strings, separator: str, regex: str, modulus: int, target_label: str, replacement: str, action: str })),
    basic_auth: obj({ username: str, username_file: str, password: str, password_file: str }),
    authorization: obj({ type: str, credentials: str, credentials_file: str }),
    sigv4: obj({
      region: str,
      access_key: str,
      secret_key: str,
      profile: str,
      role_arn: str,
      external_id: str,
      use_fips_sts_endpoint: bool,
      service_name: str,
    }),
    tls_config: obj({ ca: str, cert: str, key: str, ca_file: str, cert_file: str, key_file: str, server_name: str, insecure_skip_verify: bool }),
    proxy_url: str,
    follow_redirects: bool,
    enable_http2: bool,
    queue_config: obj({
      capacity: int,
      max_shards: int,
      min_shards: int,
      max_samples_per_send: int,
      batch_send_deadline: promDur,
      min_backoff: promDur,
      max_backoff: promDur,
      retry_on_http_429: bool,
      sample_age_limit: promDur,
    }),
  },
  ['url'],
);

const intrinsicDimensions = obj({ service: bool, span_name: bool, span_kind: bool, status_code: bool, status_message: bool });
const dimensionMappings = list(obj({ name: str, source_labels: strings, join: str }));
const serviceGraphs = {
  histogram_buckets: numbers,
  dimensions: strings,
  peer_attributes: strings,
  enable_client_server_prefix: bool,
  enable_messaging_system_latency_histogram: bool,
  enable_virtual_node_label: bool,
};
const spanMetrics = {
  histogram_buckets: numbers,
  dimensions: strings,
  intrinsic_dimensions: intrinsicDimensions,
  dimension_mappings: dimensionMappings,
  enable_target_info: bool,
  target_info_excluded_dimensions: strings,
  enable_instance_label: bool,
};
const localBlocks = {
  max_live_traces: int,
  max_block_duration: dur,
  max_block_bytes: int,
  flush_check_period: dur,
  trace_idle_period: dur,
  complete_block_timeout: dur,
};

/** Per-tenant limits, nested format: `overrides.defaults` in tempo.yaml and each tenant in overrides.yaml. */
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
    max_search_duration: promDur,
    max_metrics_duration: promDur,
    unsafe_query_hints: bool,
  }),
  compaction: obj({ block_retention: promDur, compaction_window: promDur, compaction_disabled: bool }),
  metrics_generator: obj({
    ring_size: int,
    processors: { type: 'array', uniqueItems: true, items: oneOf(...GENERATOR_PROCESSORS) },
    max_active_series: int,
    max_active_entities: int,
    collection_interval: dur,
    disable_collection: bool,
    generate_native_histograms: oneOf('classic', 'native', 'both'),
    trace_id_label_name: str,
    remote_write_headers: stringMap,
    forwarder: obj({ queue_size: int, workers: int }),
    processor: obj({
      service_graphs: obj(serviceGraphs),
      span_metrics: obj(spanMetrics),
      local_blocks: obj(localBlocks),
      host_info: obj({ host_identifiers: strings, metric_name: str }),
    }),
    ingestion_time_range_slack: dur,
    native_histogram_bucket_factor: num,
    native_histogram_max_bucket_number: int,
    native_histogram_min_reset_duration: dur,
  }),
  forwarders: strings,
  global: obj({ max_bytes_per_trace: int }),
  storage: obj({ parquet_dedicated_columns: dedicatedColumns }),
  cost_attribution: obj({ max_cardinality: int, dimensions: stringMap }),
});
const overrides = shared('overrides', overridesSchema);

export const tempoConfigSchema: Schema = {
  $id: 'tempo-config',
  ...obj({
    target: str,
    multitenancy_enabled: bool,
    stream_over_http_enabled: bool,
    http_api_prefix: str,
    enable_go_runtime_metrics: bool,
    shutdown_delay: dur,
    server: obj({
      http_listen_network: str,
      http_listen_address: str,
      http_listen_port: port,
      http_listen_conn_limit: int,
      grpc_listen_network: str,
      grpc_listen_address: str,
      grpc_listen_port: port,
      grpc_listen_conn_limit: int,
      graceful_shutdown_timeout: dur,
      http_server_read_timeout: dur,
      http_server_read_header_timeout: dur,
      http_server_write_timeout: dur,
      http_server_idle_timeout: dur,
      grpc_server_max_recv_msg_size: int,
      grpc_server_max_send_msg_size: int,
      grpc_server_max_concurrent_streams: int,
      grpc_server_max_connection_idle: dur,
      grpc_server_max_connection_age: dur,
      grpc_server_max_connection_age_grace: dur,
      grpc_server_keepalive_time: dur,
      grpc_server_keepalive_timeout: dur,
      grpc_server_min_time_between_pings: dur,
      grpc_server_ping_without_stream_allowed: bool,
      log_format: oneOf('logfmt', 'json'),
      log_level: oneOf('debug', 'info', 'warn', 'error'),
      log_source_ips_enabled: bool,
      log_request_headers: bool,
      log_request_at_info_level_enabled: bool,
      register_instrumentation: bool,
      http_path_prefix: str,
      tls_cipher_suites: str,
      tls_min_version: oneOf('VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'),
      http_tls_config: dskitServerTls,
      grpc_tls_config: dskitServerTls,
    }),
    ingester_client: componentClient,
    metrics_generator_client: componentClient,
    memberlist: obj({
      node_name: str,
      randomize_node_name: bool,
      stream_timeout: dur,
      retransmit_factor: int,
      pull_push_interval: dur,
      gossip_interval: dur,
      gossip_nodes: int,
      gossip_to_dead_nodes_time: dur,
      dead_node_reclaim_time: dur,
      compression_enabled: bool,
      advertise_addr: str,
      advertise_port: port,
      cluster_label: str,
      cluster_label_verification_disabled: bool,
      join_members: strings,
      min_join_backoff: dur,
      max_join_backoff: dur,
      max_join_retries: int,
      abort_if_cluster_fast_join_fails: bool,
      abort_if_cluster_join_fails: bool,
      rejoin_interval: dur,
      left_ingesters_timeout: dur,
      leave_timeout: dur,
      bind_addr: strings,
      bind_port: port,
      packet_dial_timeout: dur,
      packet_write_timeout: dur,
      tls_enabled: bool,
      ...dskitClientTls,
    }),
    distributor: obj({
      ring: ring(),
      receivers,
      override_ring_key: str,
      forwarders: list(
        obj({
          name: str,
          backend: oneOf('otlpgrpc'),
          otlpgrpc: obj({ endpoints: strings, tls: obj({ insecure: bool, cert_file: str }) }),
          filter: obj({ traces: obj({ span: strings, spanevent: strings }) }),
        }),
      ),
      log_received_spans: obj({ enabled: bool, include_all_attributes: bool, filter_by_status_error: bool }),
      log_discarded_spans: obj({ enabled: bool, include_all_attributes: bool, filter_by_status_error: bool }),
      metric_received_spans: obj({ enabled: bool, root_only: bool }),
      usage: obj({ cost_attribution: obj({ enabled: bool, max_cardinality: int, stale_duration: dur }) }),
      extend_writes: bool,
      retry_after_on_resource_exhausted: dur,
      max_attribute_bytes: int,
      artificial_delay: dur,
    }),
    ingester: obj({
      lifecycler: obj({
        ring: obj({
          kvstore,
          heartbeat_timeout: dur,
          replication_factor: { type: 'integer', minimum: 1 },
          zone_awareness_enabled: bool,
          excluded_zones: str,
        }),
        num_tokens: int,
        heartbeat_period: dur,
        heartbeat_timeout: dur,
        observe_period: dur,
        join_after: dur,
        min_ready_duration: dur,
        interface_names: strings,
        enable_inet6: bool,
        final_sleep: dur,
        tokens_file_path: str,
        availability_zone: str,
        unregister_on_shutdown: bool,
        readiness_check_ring_health: bool,
        address: str,
        port: int,
        id: str,
      }),
      concurrent_flushes: int,
      flush_check_period: dur,
      flush_op_timeout: dur,
      trace_idle_period: dur,
      trace_live_period: dur,
      max_block_duration: dur,
      max_block_bytes: int,
      complete_block_timeout: dur,
      override_ring_key: str,
      flush_all_on_shutdown: bool,
      flush_object_storage: bool,
    }),
    querier: obj({
      search: obj({ query_timeout: dur }),
      trace_by_id: obj({ query_timeout: dur }),
      metrics: obj({ concurrent_blocks: int, time_overlap_cutoff: num }),
      max_concurrent_queries: int,
      frontend_worker: obj({
        frontend_address: endpoint,
        dns_lookup_duration: dur,
        parallelism: int,
        match_max_concurrent: bool,
        id: str,
        grpc_client_config: grpcClientConfig,
      }),
      shuffle_sharding_ingesters_enabled: bool,
      shuffle_sharding_ingesters_lookback_period: dur,
      query_relevant_ingesters: bool,
    }),
    query_frontend: obj({
      max_outstanding_per_tenant: int,
      max_batch_size: int,
      log_query_request_headers: str,
      max_retries: int,
      multi_tenant_queries_enabled: bool,
      response_consumers: int,
      max_query_expression_size_bytes: int,
      api_timeout: dur,
      url_deny_list: strings,
      allowed_headers: strings,
      query_end_cutoff: dur,
      search: obj({
        concurrent_jobs: int,
        target_bytes_per_job: int,
        default_result_limit: int,
        max_result_limit: int,
        max_duration: dur,
        query_backend_after: dur,
        query_ingesters_until: dur,
        ingester_shards: int,
        most_recent_shards: int,
        default_spans_per_span_set: int,
        max_spans_per_span_set: int,
        timeout: dur,
        duration_slo: dur,
        throughput_bytes_slo: num,
        metadata_slo: obj({ duration_slo: dur, throughput_bytes_slo: num }),
      }),
      trace_by_id: obj({ query_shards: int, concurrent_shards: int, duration_slo: dur, throughput_bytes_slo: num, external_enabled: bool }),
      metrics: obj({
        concurrent_jobs: int,
        target_bytes_per_job: int,
        max_duration: dur,
        query_backend_after: dur,
        interval: dur,
        max_exemplars: int,
        streaming_shards: int,
        max_intervals: int,
        duration_slo: dur,
        throughput_bytes_slo: num,
      }),
      weights: obj({ request_with_weights: bool, retry_with_weights: bool, max_traceql_conditions: int, max_regex_conditions: int }),
      mcp_server: obj({ enabled: bool }),
    }),
    compactor: obj({
      ring: ring({ wait_stability_min_duration: dur, wait_stability_max_duration: dur, wait_active_instance_timeout: dur }),
      compaction: obj({
        v2_in_buffer_bytes: int,
        v2_out_buffer_bytes: int,
        v2_prefetch_traces_count: int,
        compaction_window: dur,
        max_compaction_objects: int,
        max_block_bytes: int,
        block_retention: dur,
        compacted_block_retention: dur,
        retention_concurrency: int,
        max_time_per_tenant: dur,
        compaction_cycle: dur,
      }),
      override_ring_key: str,
    }),
    metrics_generator: obj({
      ring: ring({ instance_zone: str }),
      processor: obj({
        service_graphs: obj({ ...serviceGraphs, wait: dur, max_items: int, workers: int, span_multiplier_key: str, database_name_attributes: strings }),
        span_metrics: obj({ ...spanMetrics, span_multiplier_key: str }),
        local_blocks: obj({
          ...localBlocks,
          trace_live_period: dur,
          concurrency: int,
          max_live_traces_bytes: int,
          filter_server_spans: bool,
          flush_to_storage: bool,
          concurrent_blocks: int,
          time_overlap_cutoff: num,
        }),
        host_info: obj({ host_identifiers: strings, metric_name: str }),
      }),
      registry: obj({
        collection_interval: dur,
        stale_duration: dur,
        max_label_name_length: int,
        max_label_value_length: int,
        external_labels: stringMap,
        inject_tenant_id_as: str,
      }),
      storage: obj({
        path: str,
        wal: obj({
          wal_segment_size: int,
          wal_compression: oneOf('none', 'snappy', 'zstd'),
          stripe_size: int,
          truncate_frequency: dur,
          min_wal_time: int,
          max_wal_time: int,
          no_lockfile: bool,
        }),
        remote_write_flush_deadline: dur,
        remote_write_add_org_id_header: bool,
        remote_write: list(remoteWrite),
      }),
      traces_storage: obj({ path: str, version: oneOf(...BLOCK_VERSIONS), v2_encoding: encoding, search_encoding: encoding, ingestion_time_range_slack: dur }),
      metrics_ingestion_time_range_slack: dur,
      query_timeout: dur,
      override_ring_key: str,
    }),
    storage: obj({
      trace: obj({
        backend: oneOf('s3', 'gcs', 'azure', 'local'),
        s3,
        local: obj({ path: str }),
        wal: obj({ path: str, v2_encoding: encoding, search_encoding: encoding, ingestion_time_range_slack: dur }),
        block,
        pool: obj({ max_workers: int, queue_depth: int }),
        search: obj({
          chunk_size_bytes: int,
          prefetch_trace_count: int,
          read_buffer_count: int,
          read_buffer_size_bytes: int,
          cache_control: obj({ footer: bool, column_index: bool, offset_index: bool }),
        }),
        blocklist_poll: dur,
        blocklist_poll_concurrency: int,
        blocklist_poll_fallback: bool,
        blocklist_poll_tenant_index_builders: int,
        blocklist_poll_stale_tenant_index: dur,
        blocklist_poll_jitter_ms: int,
        blocklist_poll_tolerate_consecutive_errors: int,
        blocklist_poll_tolerate_tenant_failures: int,
        empty_tenant_deletion_enabled: bool,
        empty_tenant_deletion_age: dur,
      }),
    }),
    cache: obj({
      background: obj({ writeback_goroutines: int, writeback_buffer: int }),
      caches: list(
        obj(
          {
            roles: { type: 'array', minItems: 1, uniqueItems: true, items: oneOf(...CACHE_ROLES) },
            memcached: obj({
              host: str,
              service: str,
              addresses: str,
              timeout: dur,
              max_idle_conns: int,
              max_item_size: int,
              update_interval: dur,
              consistent_hash: bool,
              circuit_breaker_consecutive_failures: int,
              circuit_breaker_timeout: dur,
              circuit_breaker_interval: dur,
              ttl: dur,
              tls_enabled: bool,
              ...dskitClientTls,
            }),
            redis: obj({
              endpoint: str,
              master_name: str,
              timeout: dur,
              expiration: dur,
              db: int,
              pool_size: int,
              username: str,
              password: str,
              sentinel_username: str,
              sentinel_password: str,
              tls_enabled: bool,
              tls_insecure_skip_verify: bool,
              idle_timeout: dur,
              max_connection_age: dur,
              ttl: dur,
            }),
          },
          ['roles'],
        ),
      ),
    }),
    overrides: obj({
      defaults: overrides,
      per_tenant_override_config: str,
      per_tenant_override_period: promDur,
    }),
    usage_report: obj({ reporting_enabled: bool, backoff: obj({ min_period: dur, max_period: dur, max_retries: int }) }),
  }),
  definitions,
};

/** overrides.yaml: `overrides: {<tenant id>: <nested overrides>}` (Tempo 3 refuses the legacy flat format). */
export const runtimeOverridesSchema: Schema = {
  $id: 'runtime-overrides',
  ...obj({ overrides: { type: 'object', additionalProperties: overrides } }, ['overrides']),
};

/** Legacy flat override keys, and where each lives in the nested format. */
export function nestedKeyFor(legacyKey: string): string | undefined {
  const moved: Array<[RegExp, string]> = [
    [/^ingestion_(.+)$/, 'ingestion.$1'],
    [/^(max_traces_per_user|max_global_traces_per_user)$/, 'ingestion.$1'],
    [/^metrics_generator_processor_(service_graphs|span_metrics|local_blocks|host_info)_(.+)$/, 'metrics_generator.processor.$1.$2'],
    [/^metrics_generator_forwarder_(.+)$/, 'metrics_generator.forwarder.$1'],
    [/^metrics_generator_(.+)$/, 'metrics_generator.$1'],
    [/^(block_retention|compaction_window|compaction_disabled)$/, 'compaction.$1'],
    [/^(max_bytes_per_tag_values_query|max_blocks_per_tag_values_query|max_search_duration|max_metrics_duration|unsafe_query_hints)$/, 'read.$1'],
    [/^max_bytes_per_trace$/, 'global.max_bytes_per_trace'],
    [/^parquet_dedicated_columns$/, 'storage.parquet_dedicated_columns'],
  ];
  for (const [from, to] of moved) if (from.test(legacyKey)) return legacyKey.replace(from, to);
  return undefined;
}
