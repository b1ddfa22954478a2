// Services reach real ports of real pods, and NetworkPolicies cover every pod without cutting a Service off.
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { INetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule';
import type { Cluster, PodTemplate } from '../../generators/kubernetes/cluster';
import { matches, namespaceOf, ref, targetPort } from '../../generators/kubernetes/cluster';
import type { ObjectOf } from '../../generators/kubernetes/objects';
import type { Rule, Violation } from '../types';

const servicesOf = (cluster: Cluster, pod: PodTemplate): Array<ObjectOf<'Service'>> =>
  cluster.kind('Service').filter((s) => cluster.podsBehind(s).includes(pod));

/** Policy types default to Ingress (plus Egress when the policy lists egress rules). */
const restrictsIngress = (np: ObjectOf<'NetworkPolicy'>): boolean => (np.spec?.policyTypes ?? ['Ingress']).includes('Ingress');

function admits(rule: INetworkPolicyIngressRule, port: IContainerPort): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => {
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
        const selector = svc.spec?.type === 'ExternalName' ? undefined : svc.spec?.selector;
        if (!selector || Object.keys(selector).length === 0) return []; // endpoints managed elsewhere
        const pods = cluster.podsBehind(svc);
        if (pods.length === 0) return [{ object: svc, message: `selector ${JSON.stringify(selector)} selects no pod` }];
        return pods.flatMap((pod) =>
          (svc.spec?.ports ?? [])
            .filter((p) => !targetPort(pod, p))
            .map((p) => ({
              object: svc,
              message: `port "${p.name ?? p.port}" targets ${p.targetPort ?? p.port}, which no container of ${ref(pod.owner)} declares`,
            })),
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
          (svc.spec?.ports ?? []).flatMap((p) => {
            const port = targetPort(pod, p);
            return port && !rules.some((r) => admits(r, port))
              ? [
                  {
                    object: svc,
                    message: `port "${p.name ?? p.port}" (${ref(pod.owner)} container port ${port.containerPort}) is admitted by no NetworkPolicy: the Service is unreachable`,
                  },
                ]
              : [];
          }),
        );
      }),
  },
];
