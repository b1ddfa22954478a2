// Which apiVersion/kinds `npm run validate` checks against a strict schema, and where each schema comes
// from. `npm run kubernetes-schemas` turns the TypeScript declarations of these packages into the JSON
// Schemas under generators/kubernetes/schemas/ (committed; nothing is fetched at test time).

export interface SchemaSource {
  /** Committed schema file under generators/kubernetes/schemas/. */
  file: string;
  /** npm package whose declarations describe the kinds (`<package>/<apiVersion>/<Kind>` declares `I<Kind>`). */
  package: string;
  /** `<apiVersion>/<Kind>`, e.g. `apps/v1/Deployment`. */
  kinds: string[];
}

export const SCHEMA_SOURCES: SchemaSource[] = [
  {
    file: 'kubernetes.json',
    package: 'kubernetes-models',
    kinds: [
      'v1/ConfigMap',
      'v1/Namespace',
      'v1/PersistentVolumeClaim',
      'v1/Secret',
      'v1/Service',
      'v1/ServiceAccount',
      'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/v1/CustomResourceDefinition',
      'apps/v1/DaemonSet',
      'apps/v1/Deployment',
      'apps/v1/StatefulSet',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'batch/v1/CronJob',
      'batch/v1/Job',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1/ClusterRole',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding',
      'scheduling.k8s.io/v1/PriorityClass',
      'storage.k8s.io/v1/StorageClass',
    ],
  },
  {
    file: 'prometheus-operator.json',
    package: '@kubernetes-models/prometheus-operator',
    kinds: ['monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/PrometheusRule', 'monitoring.coreos.com/v1/ServiceMonitor'],
  },
  {
    file: 'external-secrets.json',
    package: '@kubernetes-models/external-secrets',
    kinds: ['external-secrets.io/v1/ClusterSecretStore', 'external-secrets.io/v1/ExternalSecret', 'external-secrets.io/v1/SecretStore'],
  },
  {
    // The models of 4.4.4 (the newest release that runs on Node 20) describe cert-manager v1 as of about
    // v1.13; every field rendered here is unchanged in v1.21, and newer ones (renewBeforePercentage) are refused.
    file: 'cert-manager.json',
    package: '@kubernetes-models/cert-manager',
    kinds: ['cert-manager.io/v1/Certificate', 'cert-manager.io/v1/ClusterIssuer', 'cert-manager.io/v1/Issuer'],
  },
  {
    // Strimzi 1.0.0's CRDs (the package also carries 0.49.0's): the kinds a Tempo 3 environment renders with kafka.cluster strimzi.
    file: 'strimzi.json',
    package: '@kubernetes-models/strimzi-kafka-operator',
    kinds: ['kafka.strimzi.io/v1/Kafka', 'kafka.strimzi.io/v1/KafkaNodePool', 'kafka.strimzi.io/v1/KafkaTopic'],
  },
  {
    file: 'argo-cd.json',
    package: '@kubernetes-models/argo-cd',
    kinds: ['argoproj.io/v1alpha1/AppProject', 'argoproj.io/v1alpha1/Application', 'argoproj.io/v1alpha1/ApplicationSet'],
  },
];

/**
 * Kinds rendered without a schema, each with the reason (`<apiVersion>/<Kind>` -> why). Any other kind
 * without a schema fails validation: add it to SCHEMA_SOURCES instead whenever a package describes it.
 */
export const SKIPPED_KINDS: Record<string, string> = {
  'rollout-operator.grafana.com/v1/ZoneAwarePodDisruptionBudget':
    'no npm package describes it; tests/zones.test.ts checks every rendered one against the openAPIV3Schema of the CustomResourceDefinition the same overlay renders',
};

/** `apps/v1/Deployment` for an object. */
export const kindKey = (o: { apiVersion?: unknown; kind?: unknown }): string => `${String(o.apiVersion)}/${String(o.kind)}`;
