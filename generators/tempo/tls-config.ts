// Tempo's TLS settings (tempo.yaml): the same dskit and OpenTelemetry keys in 2.10.8 and 3.0.3 (server,
// memberlist, memcached, every grpc_client_config), so both versions' configs take them from here.
import type { EnvironmentSettings } from '../environment/settings';
import { TLS_FILES, TLS_MIN_VERSION, serverName } from '../tls';

/**
 * TLS of the OpenTelemetry receivers (configtls.ServerConfig): the distributor's certificate, re-read
 * every hour (the receivers keep their start-up certificate otherwise). No client certificates: senders
 * are applications and collectors, which hold only the CA.
 */
const RECEIVER_TLS = { cert_file: TLS_FILES.cert, key_file: TLS_FILES.key, min_version: '1.2', reload_interval: '1h' };
export const receiverTls = (env: EnvironmentSettings) => (env.tls.enabled ? { tls: RECEIVER_TLS } : {});

/**
 * A dskit client's TLS (gRPC, memberlist, memcached): the pod's own certificate (the servers require one),
 * the CA, and the name the server's certificate carries. Clients dial pod IPs (ring members, DNS
 * answers), so without tls_server_name they would check the IP, which no certificate has.
 */
export const clientTls = (env: { namespace: string }, service: string) => ({
  tls_enabled: true,
  tls_cert_path: TLS_FILES.cert,
  tls_key_path: TLS_FILES.key,
  tls_ca_path: TLS_FILES.ca,
  tls_server_name: serverName(env, service),
  tls_min_version: TLS_MIN_VERSION,
});
export const grpcClient = (env: EnvironmentSettings, service: string) => (env.tls.enabled ? { grpc_client_config: clientTls(env, service) } : undefined);

/** gRPC (9095) requires a client certificate: only Tempo's components dial it. HTTP (3200) asks for none: probes, Prometheus, Grafana, vulture. */
export function serverTls(env: EnvironmentSettings): Record<string, unknown> {
  if (!env.tls.enabled) return {};
  const files = { cert_file: TLS_FILES.cert, key_file: TLS_FILES.key, client_ca_file: TLS_FILES.ca };
  return {
    tls_min_version: TLS_MIN_VERSION,
    grpc_tls_config: { ...files, client_auth_type: 'RequireAndVerifyClientCert' },
    http_tls_config: { ...files, client_auth_type: 'VerifyClientCertIfGiven' },
  };
}
