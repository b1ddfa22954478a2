// The PromQL parser and the metric catalogue that every alert and dashboard query is checked with.
import { describe, expect, it } from 'vitest';
import { METRICS, exporterOf, exposition, isKnownMetric, lookupMetric } from './helpers/metrics/catalogue';
import { ERROR_ONLY_IN_TEMPO3, TEMPO2_ONLY } from './helpers/metrics/catalogue-3';
import { declarationOf } from './helpers/metrics/loopback';
import { PromQLError, metricNames, parsePromQL } from './helpers/metrics/promql';

describe('parsePromQL', () => {
  it('accepts valid PromQL', () => {
    expect(() => parsePromQL('sum by (cluster, namespace) (rate(tempo_request_duration_seconds_bucket{route=~"api_.*"}[5m])) > 1')).not.toThrow();
  });
  for (const bad of ['sum(rate(up[5m])', 'rate(up[5m]) >', 'up{job="a"', 'sum by cluster (up)', 'up[5x]']) {
    it(`rejects ${JSON.stringify(bad)} with its position`, () => {
      expect(() => parsePromQL(bad)).toThrow(PromQLError);
      expect(() => parsePromQL(bad)).toThrow(/invalid PromQL at \d+/);
    });
  }
});

describe('metricNames', () => {
  it('finds selectors in functions, aggregations, binary operations, offsets and __name__ matchers', () => {
    const expr = 'sum(rate(a_total[5m])) / ignoring(x) group_left count(b offset 7d) and on() {__name__="c", job="j"} or histogram_quantile(0.9, d_bucket)';
    expect(metricNames(expr)).toEqual(['a_total', 'b', 'c', 'd_bucket']);
  });
  it('does not mistake label names, functions or grouping labels for metrics', () => {
    expect(metricNames('max by (job) (label_replace(up, "x", "$1", "job", "(.*)"))')).toEqual(['up']);
  });
});

describe('metric catalogue', () => {
  it('accepts the series of a histogram, not its bare base name', () => {
    for (const s of ['_bucket', '_sum', '_count']) expect(isKnownMetric(`tempo_request_duration_seconds${s}`)).toBe(true);
    expect(isKnownMetric('tempo_request_duration_seconds')).toBe(false);
    expect(lookupMetric('traces_spanmetrics_latency_bucket')?.name).toBe('traces_spanmetrics_latency');
  });
  it('knows counters by their scraped names: no _total where Tempo registers none', () => {
    expect(isKnownMetric('tempo_receiver_accepted_spans')).toBe(true);
    expect(isKnownMetric('tempo_receiver_accepted_spans_total')).toBe(false);
    expect(isKnownMetric('tempo_metrics_generator_processor_service_graphs_edges_total')).toBe(false);
    expect(isKnownMetric('tempo_ingester_failed_flushes_total')).toBe(true);
  });
  it('says how each format exposes a counter: OpenMetrics types one without _total unknown', () => {
    expect(exposition('tempo_receiver_accepted_spans', 'openmetrics')).toEqual({
      family: 'tempo_receiver_accepted_spans',
      type: 'unknown',
      samples: ['tempo_receiver_accepted_spans'],
    });
    expect(exposition('tempo_receiver_accepted_spans', 'text')).toEqual({
      family: 'tempo_receiver_accepted_spans',
      type: 'counter',
      samples: ['tempo_receiver_accepted_spans'],
    });
    expect(exposition('tempo_ingester_failed_flushes_total', 'openmetrics')).toEqual({
      family: 'tempo_ingester_failed_flushes',
      type: 'counter',
      samples: ['tempo_ingester_failed_flushes_total'],
    });
    expect(exposition('tempo_request_duration_seconds', 'text').samples).toEqual([
      'tempo_request_duration_seconds_bucket',
      'tempo_request_duration_seconds_sum',
      'tempo_request_duration_seconds_count',
    ]);
  });
  it('knows what serves each metric', () => {
    for (const info of Object.values(METRICS)) expect(() => exporterOf(info)).not.toThrow();
    expect(exporterOf(METRICS.tempo_receiver_accepted_spans!)).toBe('tempo');
    expect(exporterOf(METRICS.traces_spanmetrics_calls_total!)).toBe('remote-write');
  });
  it('rejects the names the seed got wrong', () => {
    for (const wrong of [
      'tempo_tempodb_compaction_outstanding_blocks',
      'tempo_ingester_flush_failed_total',
      'traces_spanmetrics_duration_bucket',
      'tempo_query_frontend_result_cache_hits_total',
      'tempo_distributor_received_spans_total',
    ])
      expect(isKnownMetric(wrong), wrong).toBe(false);
  });
  it('lists counters with _total unless registered without it, and no histogram with a series suffix', () => {
    for (const [name, info] of Object.entries(METRICS)) {
      if (info.type === 'counter' && info.registeredWithoutTotal) expect(name, name).not.toMatch(/_total$/);
      else if (info.type === 'counter') expect(name, name).toMatch(/_total$/);
      if (info.registeredWithoutTotal) expect(info.type, name).toBe('counter');
      if (info.type === 'histogram') expect(name, name).not.toMatch(/_(bucket|sum|count)$/);
    }
  });
});

describe('what a loopback stack of each Tempo line does not expose (loopback.ts, catalogue-3.ts)', () => {
  it('declares only catalogued 2.10.8 Tempo metrics as 2.10-only or error-only on 3.x', () => {
    for (const name of [...Object.keys(TEMPO2_ONLY), ...Object.keys(ERROR_ONLY_IN_TEMPO3)]) {
      expect(METRICS[name], name).toBeDefined();
      expect(exporterOf(METRICS[name]!), name).toBe('tempo');
    }
  });
  it('excuses a metric by the line the stack runs: 2.10 lacks 3.x names, 3.x lacks the ingester', () => {
    expect(declarationOf('tempo_ingester_live_traces', '2.10')).toBeUndefined();
    expect(declarationOf('tempo_ingester_flush_duration_seconds_bucket', '3.0')?.absence).toBe('tempo2-only');
    expect(declarationOf('tempo_discarded_spans_total', '2.10')).toBeUndefined();
    expect(declarationOf('tempo_discarded_spans_total', '3.0')?.absence).toBe('error-only');
    expect(declarationOf('tempo_live_store_ready', '2.10')?.absence).toBe('tempo3-only');
    expect(declarationOf('tempo_live_store_ready', '3.0')).toBeUndefined();
    expect(declarationOf('kube_statefulset_replicas', '3.0')?.absence).toBe('cluster-only');
  });
});
