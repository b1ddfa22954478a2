// The tenants an environment configures, read from what it renders: the runtime overrides' tenant
// blocks, and the X-Scope-OrgID its own clients send (vulture's -tempo-org-id, the collector's
// exporter header, the Grafana data source's header, "a|b" meaning both).
import { parse } from 'yaml';
import type { Any, RenderedEnvironment } from './rendered';
import { workloads } from './topology';

/** Tempo's tenant when multitenancy is off. */
export const SINGLE_TENANT = 'single-tenant';

function orgIdsIn(node: Any, out: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => orgIdsIn(n, out));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries<Any>(node)) {
    if (k.toLowerCase() === 'x-scope-orgid' && typeof v === 'string') v.split('|').forEach((t) => out.add(t.trim()));
    // Grafana keeps the header name in jsonData and its value in secureJsonData, side by side.
    if (k === 'jsonData' && v && typeof v === 'object') {
      for (const [hk, hv] of Object.entries<Any>(v)) {
        const m = /^httpHeaderName(\d+)$/.exec(hk);
        const value = node.secureJsonData?.[`httpHeaderValue${m?.[1]}`];
        if (m && String(hv).toLowerCase() === 'x-scope-orgid' && typeof value === 'string') value.split('|').forEach((t) => out.add(t.trim()));
      }
    }
    orgIdsIn(v, out);
  }
}

export function configuredTenants(env: RenderedEnvironment): string[] {
  const tenants = new Set<string>(Object.keys(env.overrides?.overrides ?? {}).filter((t) => t !== '*'));
  for (const w of workloads(env.objects)) {
    for (const a of w.args) {
      const m = /^-{1,2}tempo-org-id=(.+)$/.exec(a);
      if (m) tenants.add(m[1]!);
    }
  }
  for (const cm of env.objects.filter((o) => o.kind === 'ConfigMap')) {
    for (const text of Object.values<Any>(cm.data ?? {})) {
      let doc: Any;
      try {
        doc = parse(String(text));
      } catch {
        continue; // not YAML (or JSON): a dashboard or a script
      }
      orgIdsIn(doc, tenants);
    }
  }
  tenants.delete('');
  return [...tenants].sort();
}

export const multitenancy = (env: RenderedEnvironment): boolean => env.tempo?.multitenancy_enabled === true;
