// Services reach real ports of real pods, and NetworkPolicies cover every pod without cutting a Service off.
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { Cluster, PodTemplate } from '../cluster';
import { declaredPort, matches, matchesMap, namespaceOf, ref, servingContainers } from '../cluster';
import type { Rule, Violation } from '../types';

type Any = any; // rendered YAML is untyped

const selectorOf = (svc: Any): Record<string, string> | undefined => (svc.spec?.type === 'ExternalName' ? undefined : svc.spec?.selector);
const servicesOf = (cluster: Cluster, pod: PodTemplate): Any[] =>
  cluster.kind('Service').filter((s) => namespaceOf(s) === pod.namespace && matchesMap(selectorOf(s), pod.labels));

/** The container port a Service port reaches on a pod, if some container declares it. */
function target(pod: PodTemplate, port: Any): IContainerPort | undefined {
  for (const c of servingContainers(pod.spec)) {
    const found = declaredPort(c, port.targetPort ?? port.port);
    if (found) return found as IContainerPort;
  }
  return undefined;
}

/** Policy types default to Ingress (plus Egress when the policy lists egress rules). */
const restrictsIngress = (np: Any): boolean => (np.spec?.policyTypes ?? ['Ingress']).includes('Ingress');

function admits(rule: Any, port: IContainerPort): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p: Any) => {
    if ((p.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name;
    return p.endPort ? port.containerPort >= p.port && port.containerPort <= p.endPort : p.port === port.containerPort;
  });
}

export const networkRules: Rule[] = [
  {
    id: 'service-targets',
    reason: 'Every Service selects existing pods and targets ports they declare, so it never routes into nothing',
    severity: 'error',
    check: (cluster) =>
      cluster.kind('Service').flatMap((svc): Violation[] => {
        const selector = selectorOf(svc);
        if (!selector || Object.keys(selector).length === 0) return []; // endpoints managed elsewhere
        const pods = cluster.pods.filter((p) => p.namespace === namespaceOf(svc) && matchesMap(selector, p.labels));
        if (pods.length === 0) return [{ object: svc, message: `selector ${JSON.stringify(selector)} selects no pod` }];
        return pods.flatMap((pod) =>
          (svc.spec.ports ?? [])
            .filter((p: Any) => !target(pod, p))
            .map((p: Any) => ({ object: svc, message: `port "${p.name ?? p.port}" targets ${p.targetPort ?? p.port}, which no container of ${ref(pod.owner)} declares` })),
        );
      }),
  },
  {
    id: 'network-policy-coverage',
    reason: "Every pod's ingress is restricted by a NetworkPolicy, and every port a Service targets is admitted by one",
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod): Violation[] => {
        const policies = cluster
          .kind('NetworkPolicy')
          .filter((np) => namespaceOf(np) === pod.namespace && restrictsIngress(np) && matches(np.spec?.podSelector ?? {}, pod.labels));
        if (policies.length === 0) return [{ object: pod.owner, message: 'no NetworkPolicy restricts ingress to its pods' }];
        const rules = policies.flatMap((np) => np.spec?.ingress ?? []);
        return servicesOf(cluster, pod).flatMap((svc) =>
          (svc.spec.ports ?? []).flatMap((p: Any) => {
            const port = target(pod, p);
            return port && !rules.some((r: Any) => admits(r, port))
              ? [{ object: svc, message: `port "${p.name ?? p.port}" (${ref(pod.owner)} container port ${port.containerPort}) is admitted by no NetworkPolicy: the Service is unreachable` }]
              : [];
          }),
        );
      }),
  },
];
