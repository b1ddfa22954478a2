// The loopback Prometheus's HTTP API as the scrape checks use it (every call has request()'s timeout).
import { getJson } from './tempo-api';

export interface PromSample {
  metric: Record<string, string>;
}
export interface PromRule {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  lastEvaluation: string;
  state?: string;
}
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
export interface PromTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

export class PrometheusApi {
  constructor(readonly base: string) {}

  private async data<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const body = await getJson<{ status: string; data: T; error?: string }>(`${this.base}${path}?${new URLSearchParams(params)}`);
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  }

  /** An instant query at now; the series it returns. */
  async query(expr: string): Promise<PromSample[]> {
    const d = await this.data<{ resultType: string; result: PromSample[] | unknown[] }>('/api/v1/query', { query: expr });
    return d.resultType === 'vector' || d.resultType === 'matrix' ? (d.result as PromSample[]) : [{ metric: {} }];
  }

  /** Label sets of the series matching `selector` in the last hour (what Grafana's label_values reads). */
  async series(selector: string): Promise<Array<Record<string, string>>> {
    const end = Math.floor(Date.now() / 1000);
    return this.data('/api/v1/series', { 'match[]': selector, start: String(end - 3600), end: String(end) });
  }

  async rules(): Promise<PromRule[]> {
    const d = await this.data<{ groups: Array<{ rules: PromRule[] }> }>('/api/v1/rules');
    return d.groups.flatMap((g) => g.rules);
  }

  async alerts(): Promise<PromAlert[]> {
    return (await this.data<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  }

  async targets(): Promise<PromTarget[]> {
    return (await this.data<{ activeTargets: PromTarget[] }>('/api/v1/targets', { state: 'active' })).activeTargets;
  }
}

export const describeAlert = (a: PromAlert) =>
  `${a.labels.alertname}{${Object.entries(a.labels)
    .filter(([k]) => !['alertname', 'severity'].includes(k))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}} ${a.state}`;
