// Growing a StatefulSet's volumes (`npm run volumes:grow`): its volumeClaimTemplates are immutable, so a new
// size in environment.yaml alone makes every Argo CD sync of the StatefulSet fail. The procedure, for the
// claims the environment really has (every StatefulSet of the component, every ordinal): pause Argo CD's
// automated sync, grow each claim in place (EBS grows online, the filesystem follows while mounted), delete
// the StatefulSets but not their pods (--cascade=orphan: nothing restarts, and persistentVolumeClaimRetentionPolicy
// whenDeleted: Retain keeps the claims), then merge the PR and restore the Application: Argo CD recreates the
// StatefulSets with the new size and they adopt the running pods (same selector, same pod template).
import { ARGOCD_DIR, ARGOCD_NAMESPACE, applicationName } from './argocd';
import type { Environment } from './environment/index';
import { Quantity } from './environment/units';
import { isKind, type ObjectOf } from './kubernetes/objects';
import { renderEnvironment } from './render';

export interface GrowPlan {
  statefulSets: Array<{ name: string; claims: string[] }>;
  from: string;
  storageClass: string;
  script: string;
}

type StatefulSet = ObjectOf<'StatefulSet'>;

/** The component's StatefulSets as the environment renders them (zone-aware: one per zone). */
export const statefulSetsOf = (env: Environment, component: string): StatefulSet[] =>
  renderEnvironment(env).objects.filter(
    (o): o is StatefulSet => isKind(o, 'StatefulSet') && o.spec?.template.metadata?.labels?.['app.kubernetes.io/component'] === component,
  );

/** The procedure, or the problems that stop it (each a sentence naming what is wrong). */
export function growVolumes(env: Environment, component: string, size: string): GrowPlan | { problems: string[] } {
  const sets = statefulSetsOf(env, component);
  const claimed = sets.filter((s) => (s.spec?.volumeClaimTemplates ?? []).length > 0);
  if (!claimed.length) return { problems: [`${env.name} renders no StatefulSet of ${component} with volumes`] };
  let target: Quantity;
  try {
    target = Quantity.parse(size);
  } catch {
    return { problems: [`--size: expected a Kubernetes quantity such as 100Gi, got "${size}"`] };
  }
  const template = claimed[0]!.spec!.volumeClaimTemplates![0]!;
  const from = String(template.spec?.resources?.requests?.storage);
  const current = Quantity.parse(from);
  if (target.value <= current.value)
    return {
      problems: [`--size ${target.text} is not above the current ${current.text}: a volume can grow, never shrink (an EBS volume and its claim cannot)`],
    };
  const storageClass = template.spec?.storageClassName ?? '(the default StorageClass)';
  const statefulSets = claimed.map((s) => ({
    name: s.metadata.name,
    claims: (s.spec!.volumeClaimTemplates ?? []).flatMap((t) =>
      Array.from({ length: s.spec?.replicas ?? 1 }, (_, i) => `${t.metadata?.name}-${s.metadata.name}-${i}`),
    ),
  }));
  const app = applicationName(env);
  const k = `kubectl -n ${env.namespace}`;
  const claims = statefulSets.flatMap((s) => s.claims);
  const patch = JSON.stringify({ spec: { resources: { requests: { storage: target.text } } } });
  const script = [
    `# Grow the ${component} volumes of ${env.name} from ${current.text} to ${target.text}: ${claims.length} claim(s) of ${statefulSets.length} StatefulSet(s).`,
    '# volumeClaimTemplates are immutable: the claims grow in place, the StatefulSets are recreated around running pods.',
    "# Run the steps in order, by hand, against this environment's cluster (step 6 waits for your merge); each command can be repeated.",
    '',
    `# 0. The StorageClass must allow expansion (EBS: one modification per volume every 6 hours).`,
    `test "$(kubectl get storageclass ${storageClass} -o jsonpath='{.allowVolumeExpansion}')" = true`,
    '',
    `# 1. Open the PR (do not merge it yet): overlays/${env.name}/environment.yaml`,
    `#      components.${component}.storage.size: ${target.text}`,
    '#    then `npm run generate` and commit both. Merged first, every sync would fail on the immutable field.',
    '',
    `# 2. Pause Argo CD's automated sync of ${env.name}, or it would recreate the StatefulSets from the old size.`,
    `kubectl -n ${ARGOCD_NAMESPACE} patch application ${app} --type json -p '[{"op":"remove","path":"/spec/syncPolicy/automated"}]'`,
    '',
    '# 3. Grow every claim.',
    ...claims.map((c) => `${k} patch pvc ${c} -p '${patch}'`),
    '',
    '# 4. Wait until each claim has its new capacity (EBS resizes the volume, then the node the filesystem).',
    ...claims.map((c) => `${k} wait pvc/${c} --for=jsonpath='{.status.capacity.storage}'=${target.text} --timeout=30m`),
    '',
    '# 5. Delete the StatefulSets, not their pods: nothing restarts, the claims stay (whenDeleted: Retain).',
    ...statefulSets.map((s) => `${k} delete statefulset ${s.name} --cascade=orphan`),
    '',
    `# 6. Merge the PR, then restore the Application as committed (automated sync): Argo CD recreates the`,
    '#    StatefulSets with the new size; they adopt the running pods (same selector and pod template).',
    `kubectl apply -f ${ARGOCD_DIR}/${app}-application.yaml`,
    `kubectl -n ${ARGOCD_NAMESPACE} wait application/${app} --for=jsonpath='{.status.sync.status}'=Synced --timeout=15m`,
    `kubectl -n ${ARGOCD_NAMESPACE} wait application/${app} --for=jsonpath='{.status.health.status}'=Healthy --timeout=15m`,
    '',
    '# 7. Check: every StatefulSet back, with the new size, its pods Ready and not restarted.',
    ...statefulSets.map(
      (s) => `test "$(${k} get statefulset ${s.name} -o jsonpath='{.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')" = ${target.text}`,
    ),
    `${k} get pods,pvc -l app.kubernetes.io/component=${component}`,
    '',
  ].join('\n');
  return { statefulSets, from: current.text, storageClass, script };
}
