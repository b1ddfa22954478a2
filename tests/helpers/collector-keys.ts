// The collector config keys this repository renders, written by hand from the `mapstructure` tags of the
// config structs of the pinned release (otel/opentelemetry-collector-contrib 0.159.0). Core: the
// opentelemetry-collector repository at tag v0.159.0 (receiver/otlpreceiver/config.go,
// internal/memorylimiter/config.go, processor/batchprocessor/config.go, exporter/otlpexporter/config.go with
// config/configgrpc, configtls, configretry and exporterhelper's queuebatch config, service telemetry).
// Contrib (the repository is too large to fetch whole; read file by file from its stored sources, the
// versions around v0.159 and the generated config.schema.yaml): processor/probabilisticsamplerprocessor
// config.go and sampler_mode.go, processor/tailsamplingprocessor config.schema.yaml,
// exporter/loadbalancingexporter config.schema.yaml and factory.go (type renamed load_balancing, 2026-05,
// #48533), connector/routingconnector config.go, k8sattributes, resource, transform, healthcheck.
// Only keys we use are listed: a key outside this list is a key nobody checked. The binary is not
// available here (no npm or Debian package ships otelcol-contrib), so this is the check.
export type Keys = { [key: string]: Keys | true | [Keys] };

/** configtls.ClientConfig (config/configtls v1.65.0, collector v0.159.0): plaintext, or the CA and the name to check. */
const TLS: Keys = { insecure: true, ca_file: true, server_name_override: true };
/** configtls.ServerConfig: the receiver's certificate, re-read every reload_interval. */
const SERVER_TLS: Keys = { cert_file: true, key_file: true, min_version: true, reload_interval: true };
const QUEUE: Keys = { enabled: true, sizer: true, queue_size: true, num_consumers: true };
const RETRY: Keys = { enabled: true, initial_interval: true, max_interval: true, max_elapsed_time: true };
/** otlpexporter.Config: exporterhelper timeout, queue and retry, and configgrpc.ClientConfig (squashed). */
const OTLP_EXPORTER: Keys = { endpoint: true, tls: TLS, headers: { '*': true }, timeout: true, sending_queue: QUEUE, retry_on_failure: RETRY };
/** tail_sampling policy types we render and their settings. */
const POLICY_SETTINGS: Keys = {
  name: true,
  type: true,
  status_code: { status_codes: true },
  latency: { threshold_ms: true },
  probabilistic: { sampling_percentage: true, hash_salt: true },
  string_attribute: { key: true, values: true },
};

/** By component type (the part of its id before `/`). */
export const COLLECTOR_KEYS: Record<'receivers' | 'processors' | 'exporters' | 'connectors' | 'extensions', Record<string, Keys>> = {
  receivers: { otlp: { protocols: { grpc: { endpoint: true, tls: SERVER_TLS }, http: { endpoint: true } } } },
  processors: {
    memory_limiter: { check_interval: true, limit_percentage: true, spike_limit_percentage: true },
    batch: { timeout: true, send_batch_size: true },
    k8s_attributes: {
      auth_type: true,
      filter: { node_from_env_var: true },
      pod_association: [{ sources: [{ from: true, name: true }] }],
      extract: { metadata: true },
    },
    resource: { attributes: [{ key: true, value: true, action: true }] },
    transform: { error_mode: true, trace_statements: [{ context: true, statements: true }] },
    // Config struct: sampling_percentage, hash_seed, mode, fail_closed, sampling_precision (+ logs-only keys).
    probabilistic_sampler: { mode: true, sampling_percentage: true, fail_closed: true },
    tail_sampling: {
      decision_wait: true,
      num_traces: true,
      expected_new_traces_per_sec: true,
      decision_cache: { sampled_cache_size: true, non_sampled_cache_size: true },
      policies: [{ ...POLICY_SETTINGS, and: { and_sub_policy: [POLICY_SETTINGS] } }],
    },
  },
  exporters: {
    otlp_grpc: OTLP_EXPORTER,
    load_balancing: {
      routing_key: true,
      protocol: { otlp: OTLP_EXPORTER },
      resolver: { dns: { hostname: true, port: true, interval: true, timeout: true } },
      sending_queue: QUEUE,
      retry_on_failure: RETRY,
    },
  },
  connectors: { routing: { error_mode: true, default_pipelines: true, table: [{ context: true, condition: true, pipelines: true }] } },
  extensions: { health_check: { endpoint: true, path: true } },
};

export const SERVICE_KEYS: Keys = {
  extensions: true,
  telemetry: {
    metrics: {
      level: true,
      readers: [{ pull: { exporter: { prometheus: { host: true, port: true, without_scope_info: true, without_units: true, without_type_suffix: true } } } }],
    },
  },
  pipelines: { '*': { receivers: true, processors: true, exporters: true } },
};

/** Values the components accept for their enumerations (from the same sources). */
export const COLLECTOR_VALUES: Record<string, readonly unknown[]> = {
  'probabilistic_sampler.mode': ['hash_seed', 'proportional', 'equalizing'],
  'tail_sampling.policies.and.and_sub_policy.type': ['numeric_attribute', 'string_attribute', 'rate_limiting', 'latency', 'status_code', 'probabilistic'],
  'tail_sampling.policies.type': [
    'always_sample',
    'latency',
    'numeric_attribute',
    'probabilistic',
    'status_code',
    'string_attribute',
    'rate_limiting',
    'composite',
    'and',
  ],
  'tail_sampling.policies.status_code.status_codes': ['OK', 'ERROR', 'UNSET'],
  'load_balancing.routing_key': ['traceID', 'service', 'resource', 'metric', 'streamID', 'attributes'],
  'routing.table.context': ['resource', 'span', 'metric', 'datapoint', 'log', 'request'],
  'routing.error_mode': ['ignore', 'propagate', 'silent'],
};

/** Every key path of `value` that `keys` does not list (`*` allows any key). */
export function unknownKeys(value: unknown, keys: Keys | true | [Keys], path: string): string[] {
  if (keys === true) return [];
  if (Array.isArray(keys)) return Array.isArray(value) ? value.flatMap((v, i) => unknownKeys(v, keys[0], `${path}[${i}]`)) : [`${path}: expected a list`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected a mapping`];
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = keys[k] ?? keys['*'];
    return sub === undefined ? [`${path}.${k}`] : unknownKeys(v, sub, `${path}.${k}`);
  });
}
