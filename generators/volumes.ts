// Growing a StatefulSet's volumes (`npm run volumes:grow`): its volumeClaimTemplates are immutable, so a new
// size in environment.yaml alone makes every Argo CD sync of the StatefulSet fail. The procedure, for the
// claims the environment really has (every StatefulSet of the component, every ordinal): pause Argo CD's
// automated sync, grow each claim in place (EBS grows online, the filesystem follows while mounted), delete
// the StatefulSets but not their pods (--cascade=orphan: nothing restarts, and persistentVolumeClaimRetentionPolicy
// whenDeleted: Retain keeps the claims), then merge the PR and restore the Application: Argo CD recreates the
// StatefulSets with the new size and they adopt the running pods (same selector, same pod template).
import { ARGOCD_DIR, ARGOCD_NAMESPACE, applicationName } from './argocd';
import type { Environment } from './environment/index';
import { VOLUME_FLOOR } from './environment/fields';
import { Quantity } from './environment/units';
import { isKind, type ObjectOf } from './kubernetes/objects';
import { stacksOf } from './environment/migration';
import { renderEnvironment } from './render';

export interface GrowPlan {
  statefulSets: Array<{ name: string; namespace: string; claims: string[] }>;
  script: string;
}

type StatefulSet = ObjectOf<'StatefulSet'>;

/** The component's StatefulSets as the environment renders them (zone-aware: one per zone). */
export const statefulSetsOf = (env: Environment, component: string): StatefulSet[] =>
  renderEnvironment(env).objects.filter(
    (o): o is StatefulSet => isKind(o, 'StatefulSet') && o.spec?.template.metadata?.labels?.['app.kubernetes.io/component'] === component,
  );

/**
 * The procedure, or the problems that stop it (each a sentence naming what is wrong). During a dual run
 * it covers the component's StatefulSets in both stacks, each in its own namespace.
 */
export function growVolumes(env: Environment, component: string, size: string): GrowPlan | { problems: string[] } {
  const stacks = stacksOf(env);
  const found = stacks
    .map((stack) => ({ stack, sets: statefulSetsOf(stack, component).filter((s) => (s.spec?.volumeClaimTemplates ?? []).length > 0) }))
    .filter((f) => f.sets.length > 0);
  if (!found.length) {
    const where = stacks.length > 1 ? ` in either stack (namespaces ${stacks.map((s) => s.namespace).join(', ')})` : '';
    return { problems: [`${env.name} renders no StatefulSet of ${component} with volumes${where}`] };
  }
  let target: Quantity;
  try {
    target = Quantity.parse(size);
  } catch {
    return { problems: [`--size: expected a Kubernetes quantity such as 100Gi, got "${size}"`] };
  }
  const most = VOLUME_FLOOR.ceiling!;
  if (target.value > Quantity.parse(most.most).value)
    return { problems: [`--size ${target.text} is above ${most.most}: ${most.why}; expected at most ${most.most}`] };
  const template = (s: StatefulSet) => s.spec!.volumeClaimTemplates![0]!;
  const sizes = found.map((f) => Quantity.parse(String(template(f.sets[0]!).spec?.resources?.requests?.storage)));
  const current = sizes.reduce((a, b) => (b.value > a.value ? b : a));
  if (target.value <= current.value)
    return {
      problems: [`--size ${target.text} is not above the current ${current.text}: a volume can grow, never shrink (an EBS volume and its claim cannot)`],
    };
  const storageClasses = [...new Set(found.map((f) => template(f.sets[0]!).spec?.storageClassName ?? '(the default StorageClass)'))];
  const statefulSets = found.flatMap(({ stack, sets }) =>
    sets.map((s) => ({
      name: s.metadata.name,
      namespace: stack.namespace,
      claims: (s.spec!.volumeClaimTemplates ?? []).flatMap((t) =>
        Array.from({ length: s.spec?.replicas ?? 1 }, (_, i) => `${t.metadata?.name}-${s.metadata.name}-${i}`),
      ),
    })),
  );
  // The 3.x stack's size is its own field: set there, it does not depend on what the 2.10 stack inherits.
  const fields = found.map((f) => `${f.stack === env ? '' : 'migration.tempo3.'}components.${component}.storage.size: ${target.text}`);
  const app = applicationName(env);
  const k = (namespace: string) => `kubectl -n ${namespace}`;
  const claims = statefulSets.flatMap((s) => s.claims.map((claim) => ({ claim, namespace: s.namespace })));
  const namespaces = [...new Set(statefulSets.map((s) => s.namespace))];
  const patch = JSON.stringify({ spec: { resources: { requests: { storage: target.text } } } });
  const script = [
    `# Grow the ${component} volumes of ${env.name} from ${[...new Set(sizes.map((q) => q.text))].join(' and ')} to ${target.text}: ${claims.length} claim(s) of ${statefulSets.length} StatefulSet(s) in ${namespaces.join(' and ')}.`,
    '# volumeClaimTemplates are immutable: the claims grow in place, the StatefulSets are recreated around running pods.',
    "# Run the steps in order, by hand, against this environment's cluster (step 6 waits for your merge); each command can be repeated.",
    '',
    `# 0. The StorageClass must allow expansion (EBS: one modification per volume every 6 hours).`,
    ...storageClasses.map((c) => `test "$(kubectl get storageclass ${c} -o jsonpath='{.allowVolumeExpansion}')" = true`),
    '',
    `# 1. Open the PR (do not merge it yet): overlays/${env.name}/environment.yaml`,
    ...fields.map((f) => `#      ${f}`),
    '#    then `npm run generate` and commit both. Merged first, every sync would fail on the immutable field.',
    '',
    `# 2. Pause Argo CD's automated sync of ${env.name}, or it would recreate the StatefulSets from the old size.`,
    `kubectl -n ${ARGOCD_NAMESPACE} patch application ${app} --type json -p '[{"op":"remove","path":"/spec/syncPolicy/automated"}]'`,
    '',
    '# 3. Grow every claim.',
    ...claims.map((c) => `${k(c.namespace)} patch pvc ${c.claim} -p '${patch}'`),
    '',
    '# 4. Wait until each claim has its new capacity (EBS resizes the volume, then the node the filesystem).',
    ...claims.map((c) => `${k(c.namespace)} wait pvc/${c.claim} --for=jsonpath='{.status.capacity.storage}'=${target.text} --timeout=30m`),
    '',
    '# 5. Delete the StatefulSets, not their pods: nothing restarts, the claims stay (whenDeleted: Retain).',
    ...statefulSets.map((s) => `${k(s.namespace)} delete statefulset ${s.name} --cascade=orphan`),
    '',
    `# 6. Merge the PR, then restore the Application as committed (automated sync): Argo CD recreates the`,
    '#    StatefulSets with the new size; they adopt the running pods (same selector and pod template).',
    `kubectl apply -f ${ARGOCD_DIR}/${app}-application.yaml`,
    `kubectl -n ${ARGOCD_NAMESPACE} wait application/${app} --for=jsonpath='{.status.sync.status}'=Synced --timeout=15m`,
    `kubectl -n ${ARGOCD_NAMESPACE} wait application/${app} --for=jsonpath='{.status.health.status}'=Healthy --timeout=15m`,
    '',
    '# 7. Check: every StatefulSet back, with the new size, its pods Ready and not restarted.',
    ...statefulSets.map(
      (s) =>
        `test "$(${k(s.namespace)} get statefulset ${s.name} -o jsonpath='{.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')" = ${target.text}`,
    ),
    ...namespaces.map((n) => `${k(n)} get pods,pvc -l app.kubernetes.io/component=${component}`),
    '',
  ].join('\n');
  return { statefulSets, script };
}
