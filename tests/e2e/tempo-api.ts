// Tempo's HTTP API as the e2e uses it: readiness, rings, flush, trace by id, search, TraceQL metrics,
// its own /metrics. Every request has a timeout; X-Scope-OrgID goes on every call when a tenant is given.

import { httpsExchange } from './https';
import { until } from './proc';
import { type TestTrace, spanIds } from './traces';

export const REQUEST_TIMEOUT_MS = 10_000;

export interface Reply {
  status: number;
  text: string;
  contentType?: string;
}

/** How https:// requests check the server: the run's CA, and the in-cluster name of the process behind a loopback port. */
export interface TlsClient {
  ca: Buffer;
  serverName(port: number): string | undefined;
}
let tls: TlsClient | undefined;
export const useTls = (client: TlsClient | undefined) => {
  tls = client;
};
export const tlsClient = (): TlsClient | undefined => tls;

export async function request(url: string, init: RequestInit & { tenant?: string; timeoutMs?: number } = {}): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (init.tenant) headers.set('X-Scope-OrgID', init.tenant);
  if (url.startsWith('https:')) return secure(url, init, headers);
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS) });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

/** An https request that checks the certificate against the run's CA under the process's in-cluster name (no client certificate, like Grafana). */
async function secure(url: string, init: RequestInit & { timeoutMs?: number }, headers: Headers): Promise<Reply> {
  if (!tls) throw new Error(`${url}: https without the run's CA (prepareTls was not called)`);
  const u = new URL(url);
  const servername = tls.serverName(Number(u.port));
  const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body as Uint8Array);
  const reply = await httpsExchange(
    {
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: init.method ?? 'GET',
      headers: Object.fromEntries(headers),
      ca: tls.ca,
      ...(servername ? { servername } : {}),
      timeout: init.timeoutMs ?? REQUEST_TIMEOUT_MS,
    },
    body,
  );
  return { status: reply.status, text: reply.text, contentType: String(reply.headers['content-type'] ?? '') };
}

export async function getJson<T = unknown>(url: string, tenant?: string): Promise<T> {
  const r = await request(url, { tenant, headers: { Accept: 'application/json' } });
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}: ${r.text.trim().slice(0, 300)}`);
  return JSON.parse(r.text) as T;
}

export async function isReady(base: string): Promise<boolean> {
  try {
    return (await request(`${base}/ready`, { timeoutMs: 2_000 })).status === 200;
  } catch {
    return false;
  }
}

/** Ring members and their states from a ring page (/ingester/ring etc. serve JSON on Accept: application/json). */
export async function ringMembers(base: string, path: string): Promise<Array<{ id: string; state: string; address: string }>> {
  const body = await getJson<{ shards?: Array<{ id: string; state: string | number; address: string }> }>(`${base}${path}`);
  const states = ['ACTIVE', 'LEAVING', 'PENDING', 'JOINING', 'LEFT'];
  return (body.shards ?? []).map((s) => ({
    id: s.id,
    address: s.address,
    state: typeof s.state === 'number' ? (states[s.state] ?? String(s.state)) : s.state,
  }));
}

/** One sample value of a Prometheus text exposition, summed over series matching the labels. */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

export async function metrics(base: string): Promise<string> {
  const r = await request(`${base}/metrics`);
  if (r.status !== 200) throw new Error(`GET ${base}/metrics: HTTP ${r.status}`);
  return r.text;
}

/** OTLP-JSON-ish trace as Tempo's /api/traces (v1: {batches}) and /api/v2/traces ({trace: {resourceSpans}}) return it. */
export interface TraceSpanRef {
  spanId: string;
  name: string;
  service: string;
  attributes: Record<string, string>;
}

const b64ToHex = (s: string) => Buffer.from(s, 'base64').toString('hex');

/** Spans of a trace-by-id reply, whichever of the two JSON shapes it has. */
export function spansOf(body: unknown): TraceSpanRef[] {
  const b = body as { batches?: unknown[]; resourceSpans?: unknown[]; trace?: { batches?: unknown[]; resourceSpans?: unknown[] } };
  const batches = (b.trace?.resourceSpans ?? b.trace?.batches ?? b.resourceSpans ?? b.batches ?? []) as Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: unknown[] }>;
    instrumentationLibrarySpans?: Array<{ spans?: unknown[] }>;
  }>;
  const out: TraceSpanRef[] = [];
  for (const rs of batches) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
    for (const ss of rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) {
      for (const s of (ss.spans ?? []) as Array<{ spanId: string; name: string; attributes?: Array<{ key: string; value: { stringValue?: string } }> }>) {
        const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? '']));
        // Tempo's JSON carries ids base64-encoded (protobuf JSON mapping of bytes).
        out.push({ spanId: /^[0-9a-f]{16}$/.test(s.spanId) ? s.spanId : b64ToHex(s.spanId), name: s.name, service, attributes });
      }
    }
  }
  return out;
}

export interface SearchHit {
  traceID: string;
}

export async function search(base: string, params: Record<string, string>, tenant?: string): Promise<SearchHit[]> {
  const body = await getJson<{ traces?: SearchHit[] }>(`${base}/api/search?${new URLSearchParams(params)}`, tenant);
  return (body.traces ?? []).map((t) => ({ traceID: t.traceID.padStart(32, '0') }));
}

/**
 * Polls /api/v2/traces/<id> at `frontend` until it returns exactly the trace's spans; on timeout the
 * error names the spans last seen (`what` says whose frontend).
 */
export async function waitTraceComplete(frontend: string, t: TestTrace, timeoutMs: number, what = ''): Promise<void> {
  const want = JSON.stringify(spanIds(t));
  let got: string[] = [];
  const complete = async () => {
    const r = await request(`${frontend}/api/v2/traces/${t.traceId}`, { tenant: t.tenant, headers: { Accept: 'application/json' } });
    got =
      r.status === 200
        ? spansOf(JSON.parse(r.text))
            .map((x) => x.spanId)
            .sort()
        : [];
    return JSON.stringify(got) === want ? true : undefined;
  };
  await until('complete', timeoutMs, complete, 500).catch(() => {
    throw new Error(`${what}trace ${t.traceId}${t.tenant ? ` as ${t.tenant}` : ''}: spans ${got.join(',') || 'none'}, want ${spanIds(t).join(',')}`);
  });
}
