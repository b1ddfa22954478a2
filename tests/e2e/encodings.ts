// Wire encodings of the test traces for each receiver: OTLP protobuf (gRPC) and OTLP JSON (HTTP),
// Jaeger api_v2 protobuf (gRPC) and Thrift binary (HTTP), Zipkin v2 JSON. The protobuf messages are the
// subsets of the upstream .proto files (opentelemetry-proto, jaeger-idl; Apache-2.0) that the e2e sends,
// with the upstream field numbers; protobufjs encodes them.
import protobuf from 'protobufjs';
import type { ServiceSpans, SpanKind, TestSpan, TestTrace } from './traces';

const PROTOS = `
syntax = "proto3";
package e2e;
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message Status { string message = 2; int32 code = 3; }
message OtlpSpan {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated OtlpSpan spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

message JaegerKeyValue { string key = 1; int32 v_type = 2; string v_str = 3; }
message JaegerSpanRef { bytes trace_id = 1; bytes span_id = 2; int32 ref_type = 3; }
message JaegerProcess { string service_name = 1; repeated JaegerKeyValue tags = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message JaegerSpan {
  bytes trace_id = 1; bytes span_id = 2; string operation_name = 3; repeated JaegerSpanRef references = 4; uint32 flags = 5;
  Timestamp start_time = 6; Duration duration = 7; repeated JaegerKeyValue tags = 8;
}
message JaegerBatch { repeated JaegerSpan spans = 1; JaegerProcess process = 2; }
message PostSpansRequest { JaegerBatch batch = 1; }
`;

const root = protobuf.parse(PROTOS, { keepCase: true }).root;
const type = (name: string) => root.lookupType(`e2e.${name}`);

export const OTLP_GRPC_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const JAEGER_GRPC_METHOD = '/jaeger.api_v2.CollectorService/PostSpans';

const OTLP_KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3 };
const nanos = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;
const attrs = (a: Record<string, string>) => Object.entries(a).map(([key, v]) => ({ key, value: { string_value: v } }));

function otlpMessage(traces: TestTrace[]) {
  return {
    resource_spans: traces.flatMap((t) =>
      t.services.map((s) => ({
        resource: { attributes: attrs({ 'service.name': s.service, ...s.resource }) },
        scope_spans: [
          {
            scope: { name: 'tempo-gitops-e2e', version: '1' },
            spans: s.spans.map((x) => ({
              trace_id: Buffer.from(t.traceId, 'hex'),
              span_id: Buffer.from(x.spanId, 'hex'),
              parent_span_id: x.parentSpanId ? Buffer.from(x.parentSpanId, 'hex') : Buffer.alloc(0),
              name: x.name,
              kind: OTLP_KIND[x.kind],
              start_time_unix_nano: nanos(x.startMs).toString(),
              end_time_unix_nano: nanos(x.startMs + x.durationMs).toString(),
              attributes: attrs(x.attributes),
              status: { code: 0 },
            })),
          },
        ],
      })),
    ),
  };
}

export function otlpProtobuf(traces: TestTrace[]): Uint8Array {
  const T = type('ExportTraceServiceRequest');
  return T.encode(T.fromObject(otlpMessage(traces))).finish();
}

export function otlpPartialSuccess(response: Uint8Array): { rejected: number; message: string } {
  const r = type('ExportTraceServiceResponse').toObject(type('ExportTraceServiceResponse').decode(response), { longs: Number, defaults: true }) as {
    partial_success?: { rejected_spans: number; error_message: string };
  };
  return { rejected: r.partial_success?.rejected_spans ?? 0, message: r.partial_success?.error_message ?? '' };
}

/** OTLP/JSON: ids as hex, enums as numbers, 64-bit integers as strings (the OTLP JSON mapping). */
export function otlpJson(traces: TestTrace[]): unknown {
  return {
    resourceSpans: traces.flatMap((t) =>
      t.services.map((s) => ({
        resource: { attributes: Object.entries({ 'service.name': s.service, ...s.resource }).map(([key, v]) => ({ key, value: { stringValue: v } })) },
        scopeSpans: [
          {
            scope: { name: 'tempo-gitops-e2e', version: '1' },
            spans: s.spans.map((x) => ({
              traceId: t.traceId,
              spanId: x.spanId,
              ...(x.parentSpanId ? { parentSpanId: x.parentSpanId } : {}),
              name: x.name,
              kind: OTLP_KIND[x.kind],
              startTimeUnixNano: nanos(x.startMs).toString(),
              endTimeUnixNano: nanos(x.startMs + x.durationMs).toString(),
              attributes: Object.entries(x.attributes).map(([key, v]) => ({ key, value: { stringValue: v } })),
            })),
          },
        ],
      })),
    ),
  };
}

/** Jaeger carries span kind as a tag; resource attributes are process tags. One batch per service. */
function jaegerTags(x: TestSpan): Record<string, string> {
  return { ...x.attributes, ...(x.kind === 'internal' ? {} : { 'span.kind': x.kind }) };
}

export function jaegerProtobuf(traceId: string, s: ServiceSpans): Uint8Array {
  const T = type('PostSpansRequest');
  const tags = (a: Record<string, string>) => Object.entries(a).map(([key, v]) => ({ key, v_type: 0, v_str: v }));
  const time = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });
  const message = {
    batch: {
      process: { service_name: s.service, tags: tags(s.resource) },
      spans: s.spans.map((x) => ({
        trace_id: Buffer.from(traceId, 'hex'),
        span_id: Buffer.from(x.spanId, 'hex'),
        operation_name: x.name,
        references: x.parentSpanId ? [{ trace_id: Buffer.from(traceId, 'hex'), span_id: Buffer.from(x.parentSpanId, 'hex'), ref_type: 0 }] : [],
        flags: 1,
        start_time: time(x.startMs),
        duration: time(x.durationMs),
        tags: tags(jaegerTags(x)),
      })),
    },
  };
  return T.encode(T.fromObject(message)).finish();
}

/** Thrift binary protocol: the few types a jaeger.thrift Batch needs. */
class ThriftWriter {
  private chunks: Buffer[] = [];
  private raw(b: Buffer) {
    this.chunks.push(b);
  }
  private i8(v: number) {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    this.raw(b);
  }
  private i16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.raw(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.raw(b);
  }
  /** An i64 from 16 hex digits, written as its 8 big-endian bytes (Jaeger ids are signed i64 halves). */
  i64hex(h: string) {
    this.raw(Buffer.from(h.padStart(16, '0'), 'hex'));
  }
  i64(v: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.raw(b);
  }
  string(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.i32(b.length);
    this.raw(b);
  }
  field(type: number, id: number) {
    this.i8(type);
    this.i16(id);
  }
  stop() {
    this.i8(0);
  }
  list(elemType: number, size: number) {
    this.i8(elemType);
    this.i32(size);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export const THRIFT = { STOP: 0, I32: 8, I64: 10, STRING: 11, STRUCT: 12, LIST: 15 } as const;

function writeTags(w: ThriftWriter, id: number, tags: Record<string, string>) {
  const entries = Object.entries(tags);
  w.field(THRIFT.LIST, id);
  w.list(THRIFT.STRUCT, entries.length);
  for (const [key, v] of entries) {
    w.field(THRIFT.STRING, 1);
    w.string(key);
    w.field(THRIFT.I32, 2);
    w.i32(0); // TagType.STRING
    w.field(THRIFT.STRING, 3);
    w.string(v);
    w.stop();
  }
}

/** A jaeger.thrift Batch (Process + Spans) in the Thrift binary protocol, as POST /api/traces takes it. */
export function jaegerThrift(traceId: string, s: ServiceSpans): Buffer {
  const w = new ThriftWriter();
  const [high, low] = [traceId.slice(0, 16), traceId.slice(16)];
  w.field(THRIFT.STRUCT, 1); // process
  w.field(THRIFT.STRING, 1);
  w.string(s.service);
  if (Object.keys(s.resource).length) writeTags(w, 2, s.resource);
  w.stop();
  w.field(THRIFT.LIST, 2); // spans
  w.list(THRIFT.STRUCT, s.spans.length);
  for (const x of s.spans) {
    w.field(THRIFT.I64, 1);
    w.i64hex(low);
    w.field(THRIFT.I64, 2);
    w.i64hex(high);
    w.field(THRIFT.I64, 3);
    w.i64hex(x.spanId);
    w.field(THRIFT.I64, 4);
    w.i64hex(x.parentSpanId ?? '0');
    w.field(THRIFT.STRING, 5);
    w.string(x.name);
    w.field(THRIFT.I32, 7);
    w.i32(1); // sampled
    w.field(THRIFT.I64, 8);
    w.i64(BigInt(Math.round(x.startMs * 1000)));
    w.field(THRIFT.I64, 9);
    w.i64(BigInt(Math.round(x.durationMs * 1000)));
    writeTags(w, 10, jaegerTags(x));
    w.stop();
  }
  w.stop();
  return w.bytes();
}

/** Zipkin v2 JSON: one object per span, the service in localEndpoint, times in microseconds. */
export function zipkinJson(t: TestTrace): unknown[] {
  return t.services.flatMap((s) =>
    s.spans.map((x) => ({
      traceId: t.traceId,
      id: x.spanId,
      ...(x.parentSpanId ? { parentId: x.parentSpanId } : {}),
      name: x.name,
      ...(x.kind === 'internal' ? {} : { kind: x.kind.toUpperCase() }),
      timestamp: Math.round(x.startMs * 1000),
      duration: Math.round(x.durationMs * 1000),
      localEndpoint: { serviceName: s.service },
      tags: { ...s.resource, ...x.attributes },
    })),
  );
}
