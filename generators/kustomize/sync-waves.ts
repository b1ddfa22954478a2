// Argo CD sync waves, keyed by kind: the one place that orders a sync. Argo CD applies wave by wave and
// waits for each to be healthy, so the namespace exists before anything in it, the S3 keys are synced
// before a pod needs them, and alerts and dashboards arrive after the workloads they watch.
// Every overlay applies this table as kustomize patches selected by kind (layout.ts), so any object of a
// listed kind gets its wave, whichever generator or shared tree (alerts/, dashboards/) produced it.
// Kinds not listed stay in wave 0 with the workloads.
import { stringify } from 'yaml';

/** The label that marks the TLS bootstrap (the self-signed Issuer and the namespace CA Certificate). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const CA_BOOTSTRAP = 'ca-bootstrap';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export interface WaveRule {
  wave: number;
  group: string;
  kind: string;
  /** Only objects with this label (kustomize label selector), e.g. the dashboard ConfigMaps. */
  labelSelector?: string;
  why: string;
}

/** Later rules win (kustomize applies the patches in this order): a rule with a label selector follows its kind's plain rule. */
export const SYNC_WAVES: readonly WaveRule[] = [
  { wave: -4, group: '', kind: 'Namespace', why: 'everything else lives in it' },
  {
    wave: -4,
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
    why: 'custom resources (the zone-aware disruption budget) need their kind first',
  },
  { wave: -3, group: '', kind: 'ServiceAccount', why: 'the SecretStore authenticates as one; pods run as one' },
  ...(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'] as const).map((kind) => ({
    wave: -3,
    group: 'rbac.authorization.k8s.io',
    kind,
    why: 'a controller (the rollout-operator) must be allowed to read the API before its wave waits for it to be ready',
  })),
  { wave: -3, group: 'external-secrets.io', kind: 'SecretStore', why: 'the ExternalSecret reads through it' },
  {
    wave: -3,
    group: 'cert-manager.io',
    kind: 'Issuer',
    why: 'the CA Issuer is Ready once the CA Certificate (wave -4) has its Secret; the Certificates name their issuer',
  },
  {
    wave: -4,
    group: 'cert-manager.io',
    kind: 'Issuer',
    labelSelector: `${COMPONENT_LABEL}=${CA_BOOTSTRAP}`,
    why: 'the self-signed Issuer signs the namespace CA before anything needs it',
  },
  { wave: -2, group: 'cert-manager.io', kind: 'Certificate', why: 'pods that mount a certificate wait in ContainerCreating until its Secret exists' },
  {
    wave: -4,
    group: 'cert-manager.io',
    kind: 'Certificate',
    labelSelector: `${COMPONENT_LABEL}=${CA_BOOTSTRAP}`,
    why: 'the namespace CA exists before its Issuer (wave -3) is asked to be Ready: no wave waits on a Degraded Issuer',
  },
  { wave: -2, group: 'external-secrets.io', kind: 'ExternalSecret', why: 'Argo CD waits until the S3 keys are synced before starting pods that need them' },
  { wave: -1, group: '', kind: 'Service', why: 'the gossip and governing Services exist before the pods of wave -1 join the ring through them' },
  { wave: -1, group: '', kind: 'ConfigMap', why: 'a new config (a new hashed name) exists before the pods of wave -1 mount it; running pods keep theirs' },
  {
    wave: -1,
    group: 'apps',
    kind: 'StatefulSet',
    labelSelector: 'rollout-group',
    why: 'zone StatefulSets are Ready before the distributors and queriers roll to a zone-aware ring (a zone-aware write needs replication_factor zones); their OnDelete pods are rolled by the rollout-operator, not by the sync',
  },
  {
    wave: -1,
    group: 'apps',
    kind: 'Deployment',
    labelSelector: 'app.kubernetes.io/component=rollout-operator',
    why: 'the operator is running before its eviction webhook (wave 0, failurePolicy Fail) exists',
  },
  { wave: 1, group: 'monitoring.coreos.com', kind: 'ServiceMonitor', why: 'scrape targets exist first' },
  { wave: 1, group: 'monitoring.coreos.com', kind: 'PodMonitor', why: 'scrape targets exist first' },
  { wave: 1, group: 'monitoring.coreos.com', kind: 'PrometheusRule', why: 'alerts never fire on a half-synced stack' },
  { wave: 1, group: '', kind: 'ConfigMap', labelSelector: 'grafana_dashboard=1', why: 'dashboards show a running stack' },
  { wave: 1, group: '', kind: 'ConfigMap', labelSelector: 'grafana_datasource=1', why: 'the datasource points at a running query-frontend' },
];

/** The wave an object gets: what the kustomize patches below produce. */
export function syncWave(o: { apiVersion: string; kind: string; metadata: { labels?: Record<string, string> } }): number {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
  const rule = [...SYNC_WAVES].reverse().find((r) => {
    if (r.kind !== o.kind || r.group !== group) return false;
    if (!r.labelSelector) return true;
    const [key, value] = r.labelSelector.split('=');
    return value === undefined ? Object.hasOwn(o.metadata.labels ?? {}, key!) : o.metadata.labels?.[key!] === value;
  });
  return rule?.wave ?? 0;
}

/**
 * One inline patch per rule for an overlay's kustomization: a strategic-merge patch adds the annotation
 * whether or not the object has annotations yet (with a target, the patch's own name is ignored).
 * Targets that match nothing are skipped by kustomize 4.5 and 5.x alike.
 */
export function syncWavePatches(): Array<Record<string, unknown>> {
  return SYNC_WAVES.map((r) => ({
    target: { ...(r.group ? { group: r.group } : {}), kind: r.kind, ...(r.labelSelector ? { labelSelector: r.labelSelector } : {}) },
    patch: stringify({
      apiVersion: r.group ? `${r.group}/v1` : 'v1',
      kind: r.kind,
      metadata: { name: '_', annotations: { [SYNC_WAVE_ANNOTATION]: String(r.wave) } },
    }),
  }));
}
