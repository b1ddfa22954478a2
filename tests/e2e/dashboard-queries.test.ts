// Which dashboard selectors the e2e excuses because the environment does not render their component
// (the 2.10-drawn ingester and compactor panels on a Tempo 3 stack), and which it never excuses.
import { describe, expect, it } from 'vitest';
import { selectors } from '../helpers/metrics/promql';
import { notRendered } from './dashboard-queries';

const THREE = new Set(['distributor', 'query-frontend', 'querier', 'metrics-generator', 'live-store', 'block-builder', 'backend-scheduler', 'backend-worker']);
const excuse = (expr: string) => notRendered(selectors(expr)[0]!, THREE, '3.0');

describe('notRendered', () => {
  it('excuses a selector whose job names only Tempo targets the environment does not render', () => {
    expect(excuse('up{job="observability/ingester"}')?.absence).toBe('component-not-rendered');
    expect(excuse('up{job=~"observability/(ingester|compactor)"}')?.reason).toMatch(/ingester or compactor/);
  });
  it('never excuses a rendered component, a job that names no Tempo target (a typo), or no job', () => {
    expect(excuse('up{job="observability/distributor"}')).toBeUndefined();
    expect(excuse('up{job=~"observability/(ingester|querier)"}')).toBeUndefined();
    expect(excuse('up{job="observability/ingestr"}')).toBeUndefined();
    expect(excuse('up{job="observability/memcached"}')).toBeUndefined();
    expect(excuse('up{namespace="observability"}')).toBeUndefined();
  });
});
