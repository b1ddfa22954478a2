// Two checks of the Tempo 3 e2e that read what runs beside Tempo: Prometheus (the metrics-generator's
// remote write) and tempo-vulture's own counters.
import { expectThat } from './checks';
import { byComponent, type Plan } from './plan';
import { sleep, until } from './proc';
import type { RenderedEnvironment } from './rendered';
import type { Stack } from './stack';
import { getJson, metricValue, request } from './tempo-api';
import { GATEWAY } from './traces';

/** traces_spanmetrics_calls_total of the e2e's gateway service, with the configured external labels. */
export async function spanMetricsInPrometheus(plan: Plan, env: RenderedEnvironment): Promise<string> {
  const prom = `http://127.0.0.1:${plan.prometheusPort}`;
  const labels = env.tempo.metrics_generator?.registry?.external_labels ?? {};
  const q = `traces_spanmetrics_calls_total{${[`service="${GATEWAY}"`, ...Object.entries<string>(labels).map(([k, v]) => `${k}="${v}"`)].join(',')}}`;
  await until(
    `Prometheus has no series ${q}`,
    120_000,
    async () => {
      const body = await getJson<{ data?: { result?: unknown[] } }>(`${prom}/api/v1/query?${new URLSearchParams({ query: q })}`);
      return (body.data?.result ?? []).length > 0 ? true : undefined;
    },
    2000,
  );
  return q;
}

/** tempo-vulture ran its time, checked at least one trace, and counted no error of any kind. */
export async function vultureWithoutErrors(plan: Plan, stack: Stack, started: number, seconds: number): Promise<string> {
  const p = byComponent(plan, 'vulture')[0]!;
  const remaining = started + seconds * 1000 - Date.now();
  if (remaining > 0) await sleep(remaining);
  const proc = stack.proc(p.id);
  expectThat(proc.running, `tempo-vulture exited:\n${proc.tail(8)}`);
  const listen = Number(
    p.workload.args
      .find((a) => a.startsWith('-prometheus-listen-address='))
      ?.split(':')
      .pop() ?? 80,
  );
  let text = '';
  await until(
    'tempo-vulture checked no trace',
    30_000,
    async () => {
      text = (await request(`http://127.0.0.1:${p.ports.get(listen)}/metrics`)).text;
      return (metricValue(text, 'tempo_vulture_trace_total') ?? 0) > 0 ? true : undefined;
    },
    1000,
  );
  const errors = text.split('\n').filter((l) => /^tempo_vulture_(trace_)?error_total/.test(l) && Number(l.split(' ').pop()) > 0);
  expectThat(errors.length === 0, `tempo-vulture counted failures: ${errors.join('; ')}`);
  return `${metricValue(text, 'tempo_vulture_trace_total')} traces checked, 0 errors`;
}
