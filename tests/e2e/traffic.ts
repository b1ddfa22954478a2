// The traffic the dashboards are checked under: each call pushes one trace over OTLP HTTP (JSON) through
// three services, cart -> checkout -> payments, so span metrics, service-graph edges, errors and slow
// server spans all exist. The names sort before the other e2e services, so `$service` (Grafana's first
// value) is cart, which has errors and spans slower than the RED dashboard's default 500ms.
import { request } from './tempo-api';

const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

const SERVER = 2;
const CLIENT = 3;
const OK = 1;
const ERROR = 2;

export async function pushTrafficTrace(url: string, tenant: string | undefined, i: number): Promise<void> {
  const traceId = hex(16);
  const now = BigInt(Date.now()) * 1_000_000n;
  const ms = 1_000_000n;
  const failed = i % 3 === 0;
  const slow = i % 2 === 0;
  const root = slow ? 700n : 120n;
  const span = (spanId: string, parentSpanId: string, name: string, kind: number, startMs: bigint, durationMs: bigint, error: boolean) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind,
    startTimeUnixNano: String(now + startMs * ms),
    endTimeUnixNano: String(now + (startMs + durationMs) * ms),
    status: { code: error ? ERROR : OK },
  });
  const service = (name: string, spans: unknown[]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
    scopeSpans: [{ scope: { name: 'tempo-gitops-e2e' }, spans }],
  });
  const [a, b, c, d, e] = [hex(8), hex(8), hex(8), hex(8), hex(8)];
  const body = {
    resourceSpans: [
      service('cart', [span(a, '', 'GET /cart', SERVER, 0n, root, failed), span(b, a, 'checkout', CLIENT, 5n, root - 10n, failed)]),
      service('checkout', [span(c, b, 'checkout', SERVER, 6n, root - 12n, failed), span(d, c, 'charge', CLIENT, 8n, 50n, false)]),
      service('payments', [span(e, d, 'charge', SERVER, 9n, 48n, false)]),
    ],
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const r = await request(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (r.status < 200 || r.status > 299) throw new Error(`OTLP HTTP push: HTTP ${r.status} ${r.text.slice(0, 200)}`);
}
