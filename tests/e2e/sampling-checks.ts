// Sampling, as the metrics-generator reads it (README "Sampling"): the collector agents record the
// probability they kept a span with in the resource attribute sampling.ratio (a double, as their resource
// processor writes it), and the rendered span_multiplier_key makes span metrics count the span 1/ratio
// times. Proven on the real Tempo: one server span pushed as the agents send it, at ratio 0.25, must read
// 4 calls in Prometheus (1 if the key were missing or named another attribute: planted fault
// sampling-multiplier).
import { SAMPLING_RATIO_ATTRIBUTE } from '../../generators/components/sampling';
import { expectThat } from './checks';
import { until } from './proc';
import { getJson, request } from './tempo-api';
import { hex } from './traces';

export const SAMPLED_SERVICE = 'e2e-sampled';
const RATIO = 0.25;

export interface SampledSpanTarget {
  /** https://127.0.0.1:<port> of the distributor's OTLP/HTTP receiver. */
  otlpHttp: string;
  tenant: string | undefined;
  prometheus: string;
}

export async function checkSampledSpanMetrics(t: SampledSpanTarget): Promise<string> {
  const now = Date.now();
  const body = {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: SAMPLED_SERVICE } },
            { key: SAMPLING_RATIO_ATTRIBUTE, value: { doubleValue: RATIO } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'tempo-gitops-e2e', version: '1' },
            spans: [
              {
                traceId: hex(16),
                spanId: hex(8),
                name: 'sampled',
                kind: 2, // SERVER
                startTimeUnixNano: (BigInt(now - 30) * 1_000_000n).toString(),
                endTimeUnixNano: (BigInt(now - 10) * 1_000_000n).toString(),
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await request(`${t.otlpHttp}/v1/traces`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
    tenant: t.tenant,
  });
  expectThat(res.status === 200, `push of the sampled span: HTTP ${res.status}: ${res.text.slice(0, 200)}`);
  const want = 1 / RATIO;
  const q = `sum(traces_spanmetrics_calls_total{service="${SAMPLED_SERVICE}"})`;
  let last = 'no series';
  try {
    await until(
      q,
      90_000,
      async () => {
        const r = await getJson<{ data?: { result?: Array<{ value: [number, string] }> } }>(
          `${t.prometheus}/api/v1/query?${new URLSearchParams({ query: q })}`,
        );
        const v = r.data?.result?.[0]?.value[1];
        if (v !== undefined) last = v;
        return Number(v) === want ? true : undefined;
      },
      2000,
    );
  } catch {
    throw new Error(`${q}: want ${want} (1 span kept at ${SAMPLING_RATIO_ATTRIBUTE} = ${RATIO}, the rendered span_multiplier_key must name it), got ${last}`);
  }
  return `1 span at ${SAMPLING_RATIO_ATTRIBUTE} = ${RATIO} counts ${want} calls`;
}
