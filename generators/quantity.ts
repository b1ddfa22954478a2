// Kubernetes resource quantities (the subset the environment schema accepts) as numbers.
const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

export function parseQuantity(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q);
  const factor = m ? SUFFIX[m[2]!] : undefined;
  if (!m || factor === undefined) throw new Error(`not a Kubernetes quantity: ${q}`);
  return Number(m[1]) * factor;
}

/** GOMEMLIMIT a little under the container memory limit, so the Go GC works harder before the OOM killer. */
export function goMemLimit(memoryLimit: string, fraction = 0.9): string {
  return `${Math.floor((parseQuantity(memoryLimit) * fraction) / 2 ** 20)}MiB`;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration (336h, 1h30m) in seconds. */
export function parseGoDuration(d: string): number {
  const parts = [...d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Go duration: ${d}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}
