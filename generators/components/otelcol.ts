// What every collector of the stack shares, the agents (collector-config.ts) and the tail-sampling
// gateway (gateway.ts): ports, health check, memory limiter, batching, the OTLP exporter with its queue and
// retries, and the collector's own metrics. Keys checked against otelcol-contrib 0.159.0 (see
// collector-config.ts and tests/helpers/collector-keys.ts).
import type { EnvironmentSettings } from '../environment/settings';
import type { Quantity } from '../environment/units';
import { objectName, serviceHost } from '../stack';
import { OTLP_GRPC } from './distributor';

/** The collector's own telemetry (Prometheus pull reader) and its health_check extension. */
export const COLLECTOR_METRICS_PORT = 8888;
export const COLLECTOR_HEALTH_PORT = 13133;

export interface AttributeAction {
  key: string;
  value: string | number;
  action: 'insert' | 'update' | 'upsert';
}
export interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}
/**
 * The client side of an OTLP hop (configtls.ClientConfig): plaintext when the stack runs without TLS, else
 * the CA (only its certificate is mounted) and, where the exporter dials pod IPs, the name to check.
 */
export type ClientTls = { insecure: true } | { ca_file: string; server_name_override?: string };
/** The server side of an OTLP receiver (configtls.ServerConfig): the pod's certificate, re-read hourly. */
export interface ServerTls {
  cert_file: string;
  key_file: string;
  min_version: string;
  reload_interval: string;
}
export const clientTls = (env: EnvironmentSettings, caFile: string, serverNameOverride?: string): ClientTls =>
  env.tls.enabled ? { ca_file: caFile, ...(serverNameOverride ? { server_name_override: serverNameOverride } : {}) } : { insecure: true };

/** The OTLP exporter settings the agent (to the distributor or, inside load_balancing, to a gateway) and the gateway share. */
export interface OtlpExporter {
  endpoint: string;
  tls: ClientTls;
  headers?: Record<string, string>;
  sending_queue: { enabled: boolean; sizer: 'requests' | 'items' | 'bytes'; queue_size: number; num_consumers: number };
  retry_on_failure: { enabled: boolean; initial_interval: string; max_interval: string; max_elapsed_time: string };
}
export interface Telemetry {
  metrics: {
    level: 'none' | 'basic' | 'normal' | 'detailed';
    readers: Array<{
      pull: {
        exporter: {
          prometheus: { host: string; port: number; without_scope_info: boolean; without_units: boolean; without_type_suffix: boolean };
        };
      };
    }>;
  };
}
export interface MemoryLimiter {
  check_interval: string;
  limit_percentage: number;
  spike_limit_percentage: number;
}
/** Memory the sending queue may hold, and what one queued span costs in it (pdata, generous). */
const QUEUE_MEMORY_SHARE = 0.4;
const BYTES_PER_QUEUED_SPAN = 2048;

/** Binds every interface: the kubelet probes the pod IP. */
export const healthCheck = () => ({ endpoint: `0.0.0.0:${COLLECTOR_HEALTH_PORT}`, path: '/' });
/** First in every pipeline: refuses data (the senders retry) before the collector runs out of memory. */
export const memoryLimiter = (): MemoryLimiter => ({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 });
export const batch = () => ({ timeout: '1s', send_batch_size: 1024 });

/**
 * OTLP gRPC out, with a sending queue and retries. The queue holds what cannot be sent while the next hop
 * is away, sized in spans to a share of the memory limit: an outage fills the queue and then drops
 * (otelcol_exporter_enqueue_failed_spans_total) instead of OOM-killing the collector. The seed's 1,000
 * batches of 1,024 spans would need ~2 GiB.
 */
export function otlpExporter(memoryLimit: Quantity, endpoint: string, tls: ClientTls, headers?: Record<string, string>): OtlpExporter {
  return { endpoint, tls, ...(headers ? { headers } : {}), ...resilience(memoryLimit) };
}
export function resilience(memoryLimit: Quantity): Pick<OtlpExporter, 'sending_queue' | 'retry_on_failure'> {
  return {
    sending_queue: {
      enabled: true,
      sizer: 'items',
      queue_size: Math.floor((memoryLimit.value * QUEUE_MEMORY_SHARE) / BYTES_PER_QUEUED_SPAN),
      num_consumers: 10,
    },
    retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '300s' },
  };
}

/**
 * With multitenancy the distributor refuses spans without a tenant. One tenant per agent; a tenant per
 * application would need the headers_setter extension reading the sender's metadata.
 */
export const tenantHeaders = (env: EnvironmentSettings, tenant: string) => (env.features.multitenancy ? { 'X-Scope-OrgID': tenant } : undefined);

/**
 * The collector's own metrics for Prometheus on the pod IP (the default reader binds localhost). Counters
 * keep their _total suffix and names carry no unit suffix: otelcol_exporter_sent_spans_total.
 */
export const telemetry = (): Telemetry => ({
  metrics: {
    level: 'normal',
    readers: [
      {
        pull: {
          exporter: {
            prometheus: { host: '0.0.0.0', port: COLLECTOR_METRICS_PORT, without_scope_info: true, without_units: true, without_type_suffix: false },
          },
        },
      },
    ],
  },
});

/** The distributor's OTLP gRPC receiver, as the collector dials it. */
export function distributorEndpoint(env: { namespace: string }): string {
  return `${serviceHost(env, objectName('distributor'))}:${OTLP_GRPC}`;
}

/** The exporter to the Tempo 3 stack's distributor in a dual run. */
export const TEMPO3_EXPORTER = 'otlp_grpc/tempo3';

/**
 * The OTLP exporters to the distributors, by id: otlp_grpc to this stack's; in a dual run (migration.tempo3)
 * also otlp_grpc/tempo3 to the 3.x stack's, so both receive every span; at the cutover otlp_grpc goes to the
 * 3.x stack's only (the 2.10 stack drains), as it will once the 2.10 stack is removed.
 */
export function distributorExporters(
  env: EnvironmentSettings,
  exporter: (endpoint: string) => OtlpExporter,
): { otlp_grpc: OtlpExporter; [TEMPO3_EXPORTER]?: OtlpExporter } {
  const run = env.migration;
  if (!run) return { otlp_grpc: exporter(distributorEndpoint(env)) };
  if (run.stage === 'cutover') return { otlp_grpc: exporter(distributorEndpoint(run)) };
  return { otlp_grpc: exporter(distributorEndpoint(env)), [TEMPO3_EXPORTER]: exporter(distributorEndpoint(run)) };
}
