// PromQL building blocks the dashboards share, so every panel selects and aggregates the same way.
// Tempo's series are labelled by the ServiceMonitors: job="<namespace>/<component>", plus cluster,
// namespace, pod and container. Rates always use $__rate_interval (at least four scrapes).
import type { ComponentName } from '../components/index';

/** Selector of one component's own series (its /metrics), with optional extra matchers. */
export const job = (component: ComponentName, ...matchers: string[]): string => [`cluster="$cluster"`, `job="$namespace/${component}"`, ...matchers].join(', ');

/** Selector of every Tempo component in the namespace (metrics several components register). */
export const stack = (...matchers: string[]): string => [`cluster="$cluster"`, `namespace="$namespace"`, ...matchers].join(', ');

/**
 * Selector of Kubernetes series about the stack's pods (kube-state-metrics, cAdvisor, kubelet). They have
 * a `cluster` label only where the metrics pipeline adds one (agents, remote write); a single-cluster
 * Prometheus has none, which the empty alternative matches.
 */
export const pods = (...matchers: string[]): string => [`cluster=~"$cluster|"`, `namespace="$namespace"`, ...matchers].join(', ');

/** Span metrics and service graph series: written by the metrics-generator with cluster as external label. */
export const generated = (...matchers: string[]): string => [`cluster="$cluster"`, ...matchers].join(', ');

/** `sum(...)`, or `sum by (a, b) (...)`. */
const sum = (labels: string[], expr: string) => (labels.length ? `sum by (${labels.join(', ')}) (${expr})` : `sum(${expr})`);

export const rate = (metric: string, selector: string): string => `rate(${metric}{${selector}}[$__rate_interval])`;

/** sum by (labels) (rate(metric{selector}[$__rate_interval])) */
export const sumRate = (metric: string, selector: string, ...labels: string[]): string => sum(labels, rate(metric, selector));

/** The q-quantile of a histogram from its _bucket series, per `labels`. */
export const quantile = (q: number, histogram: string, selector: string, ...labels: string[]): string =>
  `histogram_quantile(${q}, ${sum(['le', ...labels], rate(`${histogram}_bucket`, selector))})`;

/**
 * `expr`, or 0 where it has no series yet. Tempo creates an error counter (or the series of an error
 * label value: status_code="5..", STATUS_CODE_ERROR) on the first error, so before that a panel would say
 * "No data" where a reader expects a flat 0. With `like` (the same aggregation of a counter that always
 * exists), every series of `like` without a match in `expr` reads 0, labels and all; without it, a single
 * unlabelled 0 stands in when `expr` is entirely empty.
 */
export const orZero = (expr: string, like?: string): string => (like ? `${expr} or 0 * ${like}` : `${expr} or on() vector(0)`);

/** sumRate of an error counter Tempo creates on the first error (see orZero). */
export const errorRate = (metric: string, selector: string, like?: string): string => orZero(sumRate(metric, selector), like);

/** `part / whole`, where a part that has no series yet (no error so far) reads 0 for each series of `whole`. */
export const share = (part: string, whole: string): string => `(${orZero(part, whole)}) / ${whole}`;

/** Errors over all, per `labels`: `sum(rate(errors)) / sum(rate(all))`, 0 before the first error. */
export const ratio = (metric: string, errorSelector: string, allSelector: string, ...labels: string[]): string =>
  share(sumRate(metric, errorSelector, ...labels), sumRate(metric, allSelector, ...labels));
