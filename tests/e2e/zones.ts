// Zones on loopback: which zone each ingester process announces (the rendered availability_zone, expanded
// from its StatefulSet's env as -config.expand-env does: the zone StatefulSets say it all, no names are
// special-cased), what the real ring says of them, and where the real ingesters hold each trace: every
// ingester is asked for every trace over its own gRPC port (tempopb.Querier/FindTraceByID, the call the
// querier makes), so "each trace has one copy per zone" is read from Tempo, not from a model of its ring.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { expectThat } from './checks';
import { pem } from './pki';
import { urlOf, type PlannedProcess } from './plan';
import { sleep, until } from './proc';
import type { Any } from './rendered';
import { getJson } from './tempo-api';
import { SINGLE_TENANT } from './tenants';
import type { TlsRun } from './tls';
import type { TestTrace } from './traces';

/** A client of one ingester's gRPC port: plaintext, or with TLS the CA's client certificate under its Service's name, as the querier dials. */
function ingesterClient(port: number, tls: TlsRun | undefined): grpc.Client {
  if (!tls) return new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const name = tls.names.get(port);
  const creds = grpc.credentials.createSsl(pem(tls.pki.ca), pem(tls.pki.client.key), pem(tls.pki.client.crt));
  return new grpc.Client(`127.0.0.1:${port}`, creds, name ? { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name } : {});
}

/** The subset of tempopb (pkg/tempopb/tempo.proto at v2.10.8) and OTLP trace messages the check reads, with their field numbers. */
const PROTO = `
syntax = "proto3";
package e2ezones;
message TraceByIDRequest { bytes traceID = 1; string blockStart = 2; string blockEnd = 3; string queryMode = 5; bool allowPartialTrace = 6; }
message Span { bytes trace_id = 1; bytes span_id = 2; }
message ScopeSpans { repeated Span spans = 2; }
message ResourceSpans { repeated ScopeSpans scope_spans = 2; }
message Trace { repeated ResourceSpans resourceSpans = 1; }
message TraceByIDResponse { Trace trace = 1; }
`;
const root = protobuf.parse(PROTO, { keepCase: true }).root;
const Request = root.lookupType('e2ezones.TraceByIDRequest');
const Response = root.lookupType('e2ezones.TraceByIDResponse');
const FIND_TRACE = '/tempopb.Querier/FindTraceByID';
const RPC_TIMEOUT_MS = 5_000;
/** How long a trace found with fewer than replication-factor copies gets before it is asked for again. */
const LATE_COPY_MS = 3_000;

/** Whether the rendered ring is zone-aware (ingester.lifecycler.ring.zone_awareness_enabled). */
export const zoneAware = (tempo: Any): boolean => tempo?.ingester?.lifecycler?.ring?.zone_awareness_enabled === true;

/** ${VAR} from the process's environment, as Tempo's -config.expand-env (envsubst) does; unset is empty. */
const expand = (value: string, env: Record<string, string>) => value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');

/**
 * Ingester processes by the zone each announces, sorted by zone; undefined when none announces one. Taken
 * from availability_zone, not from zone_awareness_enabled: a ring that ignores the zones its ingesters
 * announce is what the copies check must catch (planted fault zone-unaware).
 */
export function ingesterZones(tempo: Any, ingesters: PlannedProcess[]): Map<string, PlannedProcess[]> | undefined {
  const raw = String(tempo?.ingester?.lifecycler?.availability_zone ?? '');
  if (ingesters.every((p) => expand(raw, p.workload.env) === '')) return undefined;
  const zones = new Map<string, PlannedProcess[]>();
  for (const p of ingesters) {
    const zone = expand(raw, p.workload.env);
    zones.set(zone, [...(zones.get(zone) ?? []), p]);
  }
  return new Map([...zones].sort(([a], [b]) => a.localeCompare(b)));
}

/** The ring as the distributor sees it: every ingester ACTIVE in the zone its process announces, and as many zones as copies. */
export async function checkRingZones(distributorBase: string, zones: Map<string, PlannedProcess[]>, rf: number): Promise<string> {
  const body = await getJson<{ shards?: Array<{ id: string; state: string; zone: string }> }>(`${distributorBase}/ingester/ring`);
  const shards = body.shards ?? [];
  for (const [zone, procs] of zones) {
    expectThat(zone !== '', `ingesters ${procs.map((p) => p.id).join(', ')} announce no zone: availability_zone expands to ""`);
    for (const p of procs) {
      const s = shards.find((x) => x.id === p.id);
      expectThat(s, `${p.id} is not in the distributor's ingester ring (${shards.map((x) => x.id).join(', ')})`);
      expectThat(s.zone === zone, `${p.id} is in zone "${s.zone}" of the ring, its process announces "${zone}"`);
    }
  }
  const ringZones = new Set(shards.map((s) => s.zone));
  expectThat(ringZones.size >= rf, `the ring has ${ringZones.size} zone(s) (${[...ringZones].join(', ')}) for replication factor ${rf}`);
  return `${shards.length} ingesters in ${ringZones.size} zones as the ring shows them: ${[...zones].map(([z, ps]) => `${z} (${ps.map((p) => p.id).join(', ')})`).join('; ')}`;
}

/** The span ids one ingester holds of a trace (live, head, completing and complete blocks), or none. */
async function spansHeld(client: grpc.Client, traceId: string, tenant: string): Promise<string[]> {
  const body = Buffer.from(Request.encode(Request.fromObject({ traceID: Buffer.from(traceId, 'hex') })).finish());
  const metadata = new grpc.Metadata();
  metadata.set('x-scope-orgid', tenant);
  const reply = await new Promise<Buffer>((resolve, reject) =>
    client.makeUnaryRequest(
      FIND_TRACE,
      (b: Buffer) => b,
      (b: Buffer) => Buffer.from(b),
      body,
      metadata,
      { deadline: Date.now() + RPC_TIMEOUT_MS },
      (err, res) => (err ? reject(new Error(`gRPC ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`)) : resolve(res ?? Buffer.alloc(0))),
    ),
  );
  const decoded = Response.toObject(Response.decode(reply), { bytes: String }) as { trace?: { resourceSpans?: Any[] } };
  return (decoded.trace?.resourceSpans ?? []).flatMap((r: Any) => (r.scope_spans ?? []).flatMap((s: Any) => (s.spans ?? []).map((x: Any) => x.span_id)));
}

/**
 * Asks every ingester for every trace. A distributor acknowledges a write once a quorum of its copies is
 * written (dskit DoBatch returns at minSuccess, and the request's end cancels the last push: seen on
 * loopback, a trace held by 2 of 3 ingesters), so each acknowledged trace must be held complete by at
 * least a quorum of ingesters, each in another zone, never two in one zone; how many got every copy is
 * reported. A copy still on its way is waited for (bounded).
 */
export async function checkCopiesPerZone(
  zones: Map<string, PlannedProcess[]>,
  grpcPort: number,
  traces: TestTrace[],
  tenant: string | undefined,
  rf: number,
  tls?: TlsRun,
): Promise<string> {
  const quorum = Math.floor(rf / 2) + 1;
  const zoneOf = new Map([...zones].flatMap(([zone, ps]) => ps.map((p) => [p.id, zone] as const)));
  const procs = [...zones.values()].flat();
  const clients = new Map(procs.map((p) => [p.id, ingesterClient(Number(urlOf(p, grpcPort).split(':').pop()), tls)]));
  const want = (t: TestTrace) => t.services.flatMap((s) => s.spans.map((x) => Buffer.from(x.spanId, 'hex').toString('base64'))).sort();
  /** The ingesters holding the whole trace, checked: never two in one zone, and every copy complete. */
  const holdersOf = async (t: TestTrace): Promise<string[]> => {
    const holders: string[] = [];
    for (const p of procs) {
      const spans = (await spansHeld(clients.get(p.id)!, t.traceId, tenant ?? SINGLE_TENANT)).sort();
      if (spans.length === 0) continue;
      expectThat(JSON.stringify(spans) === JSON.stringify(want(t)), `${p.id} holds ${spans.length} of its ${want(t).length} spans`);
      holders.push(p.id);
    }
    const perZone = [...zones.keys()].map((z) => holders.filter((h) => zoneOf.get(h) === z).length);
    expectThat(!perZone.some((n) => n > 1), `two copies in one zone: held by ${holders.map((h) => `${h} (${zoneOf.get(h)})`).join(', ')}`);
    return holders;
  };
  const copies = new Map<number, number>();
  const short: TestTrace[] = [];
  let still = 0;
  try {
    for (const t of traces) {
      const held = await until(
        `trace ${t.traceId} is not held by ${quorum} ingesters in ${quorum} zones`,
        10_000,
        async () => {
          const holders = await holdersOf(t);
          expectThat(holders.length >= quorum, `held by ${holders.map((h) => `${h} (${zoneOf.get(h)})`).join(', ') || 'no ingester'}`);
          return holders.length;
        },
        250,
      );
      copies.set(held, (copies.get(held) ?? 0) + 1);
      if (held < rf) short.push(t);
    }
    // Asked again after a pause: a copy merely late would be there by now; one the distributor cancelled is not.
    if (short.length > 0) await sleep(LATE_COPY_MS);
    for (const t of short) if ((await holdersOf(t)).length < rf) still++;
  } finally {
    for (const c of clients.values()) c.close();
  }
  const again = short.length > 0 ? `; of the ${short.length} with fewer than ${rf}, ${still} still had fewer ${LATE_COPY_MS / 1000} s later` : '';
  const spread = [...copies].sort(([a], [b]) => b - a).map(([n, count]) => `${count} in ${n} zones`);
  return `${traces.length} acknowledged traces, each held complete by one ingester per zone in at least ${quorum} of ${rf} zones, never two in one: ${spread.join(', ')}${again} (every ingester asked over gRPC FindTraceByID)`;
}
