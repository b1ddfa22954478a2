// The traces the e2e sends: each has a gateway service calling a backend service (so the service graph
// gets an edge and span metrics get two services), and the backend span carries a value for every
// dedicated attribute column the rendered config declares, unique to the trace.
import { randomBytes } from 'node:crypto';

export type SpanKind = 'server' | 'client' | 'internal';

export interface TestSpan {
  spanId: string; // 16 hex
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  durationMs: number;
  attributes: Record<string, string>;
}

export interface ServiceSpans {
  service: string;
  /** Resource attributes beside service.name (dedicated resource columns). */
  resource: Record<string, string>;
  spans: TestSpan[];
}

export interface TestTrace {
  traceId: string; // 32 hex
  tenant: string | undefined;
  protocol: string;
  services: ServiceSpans[];
}

export interface DedicatedColumn {
  scope: 'span' | 'resource';
  name: string;
  type: string;
}

export const GATEWAY = 'e2e-gateway';
export const BACKEND = 'e2e-backend';

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export function dedicatedColumns(tempo: { storage?: { trace?: { block?: { parquet_dedicated_columns?: DedicatedColumn[] } } } }): DedicatedColumn[] {
  return tempo.storage?.trace?.block?.parquet_dedicated_columns ?? [];
}

/** A value for a dedicated column that names the trace, so a search on it finds exactly this trace. */
export const dedicatedValue = (traceId: string, column: DedicatedColumn) => `${column.name}-${traceId.slice(0, 12)}`;

export function makeTrace(protocol: string, tenant: string | undefined, columns: DedicatedColumn[], now = Date.now()): TestTrace {
  const traceId = hex(16);
  const root = hex(8);
  const call = hex(8);
  const served = hex(8);
  const start = now - 50;
  const spanColumns = Object.fromEntries(columns.filter((c) => c.scope === 'span').map((c) => [c.name, dedicatedValue(traceId, c)]));
  const resourceColumns = Object.fromEntries(columns.filter((c) => c.scope === 'resource').map((c) => [c.name, dedicatedValue(traceId, c)]));
  return {
    traceId,
    tenant,
    protocol,
    services: [
      {
        service: GATEWAY,
        resource: {},
        spans: [
          { spanId: root, name: 'GET /play', kind: 'server', startMs: start, durationMs: 40, attributes: { 'e2e.protocol': protocol, 'e2e.trace': traceId } },
          { spanId: call, parentSpanId: root, name: 'call backend', kind: 'client', startMs: start + 5, durationMs: 30, attributes: {} },
        ],
      },
      {
        service: BACKEND,
        resource: resourceColumns,
        spans: [{ spanId: served, parentSpanId: call, name: 'play', kind: 'server', startMs: start + 10, durationMs: 20, attributes: spanColumns }],
      },
    ],
  };
}

export const spanIds = (t: TestTrace) => t.services.flatMap((s) => s.spans.map((x) => x.spanId)).sort();
export const spanCount = (t: TestTrace) => t.services.reduce((n, s) => n + s.spans.length, 0);

/** How far behind now a batch's spans may be stamped: inside Tempo's ingestion_time_range_slack (2m default). */
export const SHARED_SPAN_TIME_MS = 90_000;

/**
 * The span time for the next batch: the previous batch's while it is recent enough, so that the blocks the
 * batches become end in one compaction window. Tempo's block selector merges only blocks whose end times
 * share a window (1h by default): two batches pushed either side of the hour would be one block in each
 * window, never compacted. Older spans would not help: Tempo moves a block's times outside the slack to
 * when it received them.
 */
export function sharedSpanTime(previous: number | undefined, now = Date.now()): number {
  return previous !== undefined && now - previous <= SHARED_SPAN_TIME_MS ? previous : now;
}
