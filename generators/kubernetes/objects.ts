// The Kubernetes objects this repository renders, typed by the kubernetes-models interfaces: every
// producer returns one of these, and readers of built output (validate, policies) narrow by kind.
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IKafka } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/Kafka';
import type { IKafkaNodePool } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaNodePool';
import type { IKafkaTopic } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaTopic';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import type { IValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';

/**
 * rollout-operator.grafana.com/v1 ZoneAwarePodDisruptionBudget, as its CustomResourceDefinition declares it
 * (components/rollout-operator.ts renders that CRD; no npm package types it).
 */
export interface IZoneAwarePodDisruptionBudget {
  apiVersion: 'rollout-operator.grafana.com/v1';
  kind: 'ZoneAwarePodDisruptionBudget';
  metadata?: IObjectMeta;
  spec?: {
    maxUnavailable?: number;
    maxUnavailablePercentage?: number;
    selector: { matchLabels: Record<string, string> };
    podNamePartitionRegex?: string;
    podNameRegexGroup?: number;
    crossZoneEvictionDelay?: string;
  };
}

/** Every object has a name. */
type Named<T> = Omit<T, 'metadata'> & { metadata: IObjectMeta & { name: string } };

export type KubeObject =
  | Named<INamespace>
  | Named<IServiceAccount>
  | Named<IConfigMap>
  | Named<ISecret>
  | Named<IService>
  | Named<IPod>
  | Named<IDeployment>
  | Named<IStatefulSet>
  | Named<IDaemonSet>
  | Named<IReplicaSet>
  | Named<IJob>
  | Named<ICronJob>
  | Named<IPodDisruptionBudget>
  | Named<IHorizontalPodAutoscaler>
  | Named<INetworkPolicy>
  | Named<IRole>
  | Named<IRoleBinding>
  | Named<IClusterRole>
  | Named<IClusterRoleBinding>
  | Named<ICustomResourceDefinition>
  | Named<IValidatingWebhookConfiguration>
  | Named<IZoneAwarePodDisruptionBudget>
  | Named<IServiceMonitor>
  | Named<IPrometheusRule>
  | Named<ISecretStore>
  | Named<IExternalSecret>
  | Named<ICertificate>
  | Named<IIssuer>
  | Named<IClusterIssuer>
  | Named<IAppProject>
  | Named<IApplication>
  | Named<IKafka>
  | Named<IKafkaNodePool>
  | Named<IKafkaTopic>;

export type Kind = KubeObject['kind'];
export type ObjectOf<K extends Kind> = Extract<KubeObject, { kind: K }>;
export type Workload = ObjectOf<'Deployment' | 'StatefulSet' | 'DaemonSet'>;

/** `Kind/name`, how messages and waivers name an object. */
export const ref = (o: { kind: string; metadata: { name: string } }): string => `${o.kind}/${o.metadata.name}`;

export function isKind<K extends Kind>(o: KubeObject, ...kinds: K[]): o is ObjectOf<K> {
  return (kinds as string[]).includes(o.kind);
}

/**
 * Objects read back from YAML (kustomize output): a document is kept when it has an apiVersion, a kind and
 * a name; the strict schemas (validate.ts) then check the rest, so readers may trust the typed shape.
 */
export function asObjects(documents: unknown[]): KubeObject[] {
  return documents.filter((d): d is KubeObject => {
    const o = d as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
    return typeof o?.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string';
  });
}
