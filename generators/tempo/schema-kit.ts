// Builders of the strict Tempo config schemas (tempo/schema.ts for 2.10.8, tempo3/schema.ts for 3.0.3):
// every object closed (additionalProperties: false), as Tempo's own parser refuses an unknown key.
export type Schema = Record<string, unknown>;

export const GO_DURATION = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
// Prometheus-style durations (model.Duration): also d, w, y; whole numbers only.
export const PROM_DURATION = '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$';

export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  properties,
});
export const str: Schema = { type: 'string' };
export const bool: Schema = { type: 'boolean' };
export const int: Schema = { type: 'integer', minimum: 0 };
export const num: Schema = { type: 'number', minimum: 0 };
export const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };
export const strings: Schema = { type: 'array', items: str };
export const numbers: Schema = { type: 'array', items: num };
export const stringMap: Schema = { type: 'object', additionalProperties: str };
export const oneOf = (...values: string[]): Schema => ({ enum: values });
export const list = (items: Schema): Schema => ({ type: 'array', items });

/** dskit's TLS versions and client TLS keys (crypto/tls ClientConfig), the same in Tempo 2.10.8 and 3.0.3. */
export const TLS_VERSIONS = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'];
export const dskitClientTls: Record<string, Schema> = {
  tls_cert_path: str,
  tls_key_path: str,
  tls_ca_path: str,
  tls_server_name: str,
  tls_insecure_skip_verify: bool,
  tls_cipher_suites: str,
  tls_min_version: oneOf(...TLS_VERSIONS),
};

/**
 * One schema's shared parts: definitions referenced by name (compiled once, ajv with inlineRefs false, not
 * per use) under the schema's $id, with the ones every Tempo version uses.
 */
export function schemaKit(id: string) {
  const definitions: Record<string, Schema> = {};
  const shared = (name: string, schema: Schema): Schema => {
    definitions[name] = schema;
    return { $ref: `${id}#/definitions/${name}` };
  };
  return {
    definitions,
    shared,
    dur: shared('duration', { type: 'string', pattern: GO_DURATION, description: 'a Go duration such as 500ms, 30s, 5m or 336h (no "d" unit)' }),
    promDur: shared('promDuration', { type: 'string', pattern: PROM_DURATION, description: 'a duration such as 30s, 5m, 336h or 14d' }),
    /** `host:port`, the form of every receiver endpoint. */
    endpoint: shared('endpoint', { type: 'string', pattern: '^[^\\s:]*:[0-9]{1,5}$', description: 'an address "host:port" such as 0.0.0.0:4317' }),
    /** dskit's server TLS (server.grpc_tls_config, server.http_tls_config). */
    dskitServerTls: shared(
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
    ),
  };
}
