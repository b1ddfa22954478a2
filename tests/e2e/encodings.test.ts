// The wire encodings, read back by decoders written here independently of the encoders (Thrift binary
// protocol, protobuf wire format); the e2e proves Tempo accepts them.
import { describe, expect, it } from 'vitest';
import { jaegerProtobuf, jaegerThrift, otlpJson, otlpProtobuf, zipkinJson } from './encodings';
import { makeTrace } from './traces';

/** A generic Thrift binary struct reader: field id -> value (structs as objects, lists as arrays). */
function readThriftStruct(b: Buffer, at = { i: 0 }): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (;;) {
    const type = b.readInt8(at.i++);
    if (type === 0) return out;
    const id = b.readInt16BE(at.i);
    at.i += 2;
    out[id] = readValue(b, type, at);
  }
}
function readValue(b: Buffer, type: number, at: { i: number }): unknown {
  switch (type) {
    case 8: {
      const v = b.readInt32BE(at.i);
      at.i += 4;
      return v;
    }
    case 10: {
      const v = b.subarray(at.i, at.i + 8).toString('hex');
      at.i += 8;
      return v;
    }
    case 11: {
      const n = b.readInt32BE(at.i);
      const v = b.subarray(at.i + 4, at.i + 4 + n).toString('utf8');
      at.i += 4 + n;
      return v;
    }
    case 12:
      return readThriftStruct(b, at);
    case 15: {
      const elem = b.readInt8(at.i);
      const n = b.readInt32BE(at.i + 1);
      at.i += 5;
      return Array.from({ length: n }, () => readValue(b, elem, at));
    }
    default:
      throw new Error(`unexpected thrift type ${type}`);
  }
}

/** Field numbers present at the top level of a protobuf message. */
function protobufFields(bytes: Uint8Array): number[] {
  const fields: number[] = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[i++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
      shift += 7;
    }
  };
  while (i < bytes.length) {
    const key = varint();
    fields.push(Math.floor(key / 8));
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 2) {
      const length = varint(); // read before adding: `i += varint()` would add to the old i
      i += length;
    }
    else if (wire === 5) i += 4;
    else throw new Error(`wire type ${wire}`);
  }
  return fields;
}

const trace = makeTrace('unit', undefined, [{ scope: 'span', name: 'user.id', type: 'string' }], 1_700_000_000_000);
const backend = trace.services[1]!;

describe('e2e wire encodings', () => {
  it('Jaeger Thrift: a Batch of the process and its spans, ids split into high and low i64', () => {
    const batch = readThriftStruct(jaegerThrift(trace.traceId, backend)) as Record<number, Any>;
    expect(batch[1][1]).toBe('e2e-backend');
    const [span] = batch[2] as Array<Record<number, Any>>;
    expect(span![1]).toBe(trace.traceId.slice(16));
    expect(span![2]).toBe(trace.traceId.slice(0, 16));
    expect(span![3]).toBe(backend.spans[0]!.spanId);
    expect(span![4]).toBe(backend.spans[0]!.parentSpanId);
    expect(span![5]).toBe('play');
    expect(BigInt(`0x${span![8]}`)).toBe(BigInt((1_700_000_000_000 - 40) * 1000));
    const tags = Object.fromEntries((span![10] as Array<Record<number, string>>).map((t) => [t[1], t[3]]));
    expect(tags).toEqual({ 'user.id': `user.id-${trace.traceId.slice(0, 12)}`, 'span.kind': 'server' });
  });

  it('protobuf: ExportTraceServiceRequest is resource_spans (1); PostSpansRequest is batch (1)', () => {
    const otlp = otlpProtobuf([trace]);
    expect(protobufFields(otlp)).toEqual([1, 1]); // one ResourceSpans per service
    expect(Buffer.from(otlp).includes(Buffer.from(trace.traceId, 'hex'))).toBe(true);
    expect(protobufFields(jaegerProtobuf(trace.traceId, backend))).toEqual([1]);
  });

  it('OTLP JSON and Zipkin JSON carry hex ids and the span kinds', () => {
    const json = otlpJson([trace]) as Any;
    expect(json.resourceSpans[0].scopeSpans[0].spans[0]).toMatchObject({ traceId: trace.traceId, kind: 2 });
    expect(json.resourceSpans[0].scopeSpans[0].spans[1]).toMatchObject({ kind: 3, parentSpanId: trace.services[0]!.spans[0]!.spanId });
    const zipkin = zipkinJson(trace) as Any[];
    expect(zipkin.map((s) => [s.localEndpoint.serviceName, s.kind])).toEqual([
      ['e2e-gateway', 'SERVER'],
      ['e2e-gateway', 'CLIENT'],
      ['e2e-backend', 'SERVER'],
    ]);
    expect(zipkin[2].timestamp).toBe((1_700_000_000_000 - 40) * 1000);
  });
});

type Any = any; // decoded structures are untyped; each test asserts the shape it reads
