// Encryption in transit: traces carry what applications put in them (player ids, requests), so every
// connection of the stack is TLS. One finding per stack, on its Namespace: turning TLS off is one switch
// (tls.enabled), and a waiver names it once, per environment, with the reason.
import { parse } from 'yaml';
import { TEMPO_TARGETS } from '../../generators/components/index';
import type { Cluster } from '../../generators/kubernetes/cluster';
import { type TempoPod, podConfigs } from '../../generators/tempo/checks';
import type { Rule } from '../types';

/** The connections of one Tempo config that accept or send plaintext. */
function plaintext(t: TempoPod): string[] {
  const c = t.config;
  const out: string[] = [];
  if (!c.server?.grpc_tls_config?.cert_file) out.push('gRPC server (9095)');
  if (!c.server?.http_tls_config?.cert_file) out.push('HTTP server (3200)');
  if (c.memberlist?.tls_enabled !== true) out.push('memberlist gossip (7946)');
  for (const [name, r] of Object.entries<Record<string, unknown> | undefined>(c.distributor?.receivers ?? {})) {
    const protocols = name === 'zipkin' ? { zipkin: r } : ((r?.protocols ?? {}) as Record<string, { tls?: unknown } | undefined>);
    for (const [p, s] of Object.entries(protocols)) if (!(s as { tls?: unknown } | undefined)?.tls) out.push(`receiver ${name === p ? name : `${name}.${p}`}`);
  }
  for (const cache of c.cache?.caches ?? []) if (cache?.memcached && cache.memcached.tls_enabled !== true) out.push('memcached client');
  return out;
}

export const tlsRules: Rule[] = [
  {
    id: 'tls-in-transit',
    reason: "Every connection of the stack is encrypted (Tempo's gRPC and HTTP servers, memberlist, the receivers, memcached): traces may carry personal data",
    severity: 'error',
    check: (cluster: Cluster) => {
      const found = new Set<string>();
      const owners = new Set<string>();
      for (const target of TEMPO_TARGETS) {
        for (const t of podConfigs(cluster, target)) {
          if (!('config' in t)) continue;
          const open = plaintext(t);
          for (const o of open) found.add(o);
          if (open.length) owners.add(`${t.pod.owner.kind}/${t.pod.owner.metadata.name}`);
        }
      }
      for (const pod of cluster.pods.filter((p) => p.spec.containers.some((c) => /(^|\/)memcached:/.test(c.image ?? '') && !c.args?.includes('-Z'))))
        found.add(`memcached server (${pod.owner.kind}/${pod.owner.metadata.name})`);
      if (!found.size) return [];
      const object = cluster.kind('Namespace')[0] ?? cluster.pods[0]?.owner;
      if (!object) return [];
      return [
        {
          object,
          message: `plaintext in transit: ${[...found].join(', ')} (${[...owners].join(', ') || 'memcached'}); set tls.enabled, or waive it by name for this environment`,
        },
      ];
    },
  },
  {
    id: 'grafana-trusts-tempo',
    reason:
      "A Tempo data source that speaks https carries the CA it checks the query-frontend against (tls.caCertificate), or Grafana's queries fail their handshake",
    severity: 'warning',
    check: (cluster: Cluster) =>
      cluster
        .kind('ConfigMap')
        .filter((cm) => cm.metadata.labels?.grafana_datasource === '1')
        .flatMap((cm) =>
          Object.values(cm.data ?? {}).flatMap((text) => {
            const parsed = parse(text) as {
              datasources?: Array<{ name?: string; type?: string; url?: string; secureJsonData?: { tlsCACert?: string } }>;
            } | null;
            const sources = (parsed?.datasources ?? []).filter((d) => d.type === 'tempo' && String(d.url).startsWith('https:') && !d.secureJsonData?.tlsCACert);
            return sources.map((d) => ({
              object: cm,
              message: `data source "${d.name}" reads ${d.url} with no CA: commit the CA as tls.caCertificate after the first sync (README "Encryption in transit")`,
            }));
          }),
        ),
  },
];
