// Sends test traces to the distributor's receivers, one client per protocol. A push resolves when the
// receiver acknowledged it and rejects with the receiver's own answer (status and message) otherwise.
import * as grpc from '@grpc/grpc-js';
import { JAEGER_GRPC_METHOD, OTLP_GRPC_METHOD, jaegerProtobuf, jaegerThrift, otlpJson, otlpPartialSuccess, otlpProtobuf, zipkinJson } from './encodings';
import { request, tlsClient } from './tempo-api';
import type { TestTrace } from './traces';

export const PUSH_TIMEOUT_MS = 10_000;

/** The receiver protocols the e2e can speak, keyed as the rendered config names them (receiver.protocol). */
export type Protocol = 'otlp.grpc' | 'otlp.http' | 'jaeger.grpc' | 'jaeger.thrift_http' | 'zipkin';
export const PROTOCOLS: Protocol[] = ['otlp.grpc', 'otlp.http', 'jaeger.grpc', 'jaeger.thrift_http', 'zipkin'];

const identity = (b: Buffer | Uint8Array) => Buffer.from(b);

const clients = new Map<string, grpc.Client>();
/** Plaintext, or (with TLS) the run's CA checked under the receiver's in-cluster name, without a client certificate: as the collectors do. */
function grpcClient(address: string): grpc.Client {
  let c = clients.get(address);
  if (!c) {
    const tls = tlsClient();
    const name = tls?.serverName(Number(address.split(':').pop()));
    c = tls
      ? new grpc.Client(address, grpc.credentials.createSsl(tls.ca), name ? { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name } : {})
      : new grpc.Client(address, grpc.credentials.createInsecure());
    clients.set(address, c);
  }
  return c;
}
const scheme = () => (tlsClient() ? 'https' : 'http');

export function closeClients(): void {
  for (const c of clients.values()) c.close();
  clients.clear();
}

function unary(address: string, method: string, body: Uint8Array, tenant: string | undefined): Promise<Buffer> {
  const metadata = new grpc.Metadata();
  if (tenant) metadata.set('x-scope-orgid', tenant);
  return new Promise((resolve, reject) => {
    grpcClient(address).makeUnaryRequest(method, identity, identity, Buffer.from(body), metadata, { deadline: Date.now() + PUSH_TIMEOUT_MS }, (err, res) => {
      if (err) reject(new Error(`gRPC ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`));
      else resolve(res ?? Buffer.alloc(0));
    });
  });
}

async function post(url: string, body: BodyInit, contentType: string, tenant: string | undefined): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  const res = await request(url, { method: 'POST', body, headers, tenant, timeoutMs: PUSH_TIMEOUT_MS });
  const text = res.text;
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 300)}`);
  // OTLP/HTTP reports refused spans in a 200 with partialSuccess.
  if (text.includes('rejectedSpans')) {
    const partial = (JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } }).partialSuccess;
    if (Number(partial?.rejectedSpans ?? 0) > 0) throw new Error(`partial success: ${partial?.rejectedSpans} spans rejected: ${partial?.errorMessage}`);
  }
}

/** Sends the traces with one protocol to `address` (127.0.0.1:<port> of that receiver). */
export async function push(protocol: Protocol, address: string, traces: TestTrace[], tenant: string | undefined): Promise<void> {
  switch (protocol) {
    case 'otlp.grpc': {
      const partial = otlpPartialSuccess(await unary(address, OTLP_GRPC_METHOD, otlpProtobuf(traces), tenant));
      if (partial.rejected > 0) throw new Error(`partial success: ${partial.rejected} spans rejected: ${partial.message}`);
      return;
    }
    case 'otlp.http':
      return post(`${scheme()}://${address}/v1/traces`, JSON.stringify(otlpJson(traces)), 'application/json', tenant);
    case 'jaeger.grpc':
      for (const t of traces) for (const s of t.services) await unary(address, JAEGER_GRPC_METHOD, jaegerProtobuf(t.traceId, s), tenant);
      return;
    case 'jaeger.thrift_http':
      for (const t of traces)
        for (const s of t.services)
          await post(`${scheme()}://${address}/api/traces`, new Uint8Array(jaegerThrift(t.traceId, s)), 'application/x-thrift', tenant);
      return;
    case 'zipkin':
      return post(`${scheme()}://${address}/api/v2/spans`, JSON.stringify(traces.flatMap(zipkinJson)), 'application/json', tenant);
  }
}
