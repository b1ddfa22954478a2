// Names and labels of the stack: the one place every generator and test takes them from.
/** The default of an environment's `namespace` (base/ renders in it); a stack's own is env.namespace. */
export const NAMESPACE = 'observability';
export const INSTANCE = 'tempo-stack';
export const CLUSTER_DOMAIN = 'cluster.local';

/** The service account Tempo runs as (its IRSA role, in irsa mode). */
export const SERVICE_ACCOUNT = INSTANCE;

/** Every object of the stack carries this label (egress and memcached policies select on it). */
export const INSTANCE_SELECTOR = { 'app.kubernetes.io/instance': INSTANCE } as const;

export const objectName = (component: string): string => `${INSTANCE}-${component}`;
/** A Service's cluster DNS name in the namespace of the stack being rendered. */
export const serviceHost = (env: { namespace: string }, service: string): string => `${service}.${env.namespace}.svc.${CLUSTER_DOMAIN}`;

/** app.kubernetes.io/name of the components that are not Tempo itself (Tempo's are `tempo`). */
const APP_NAMES: Record<string, string> = {
  memcached: 'memcached',
  collector: 'opentelemetry-collector',
  gateway: 'opentelemetry-collector',
  vulture: 'tempo-vulture',
  'rollout-operator': 'rollout-operator',
};

/** Stable selector labels: never anything that changes (version, environment). */
export function selectorLabels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAMES[component] ?? 'tempo',
    'app.kubernetes.io/instance': INSTANCE,
    'app.kubernetes.io/component': component,
  };
}

/** Object and pod labels: the selector labels, part-of and the version that runs. */
export function labels(component: string, version: string): Record<string, string> {
  return {
    // `app: tempo` marks Tempo's own pods (kubectl get pods -l app=tempo), not memcached or the edge.
    ...(APP_NAMES[component] ? {} : { app: 'tempo' }),
    ...selectorLabels(component),
    'app.kubernetes.io/part-of': 'tempo',
    'app.kubernetes.io/version': version,
  };
}

/** Labels for objects that belong to the stack as a whole, in directories every environment shares (no version). */
export const STACK_LABELS: Readonly<Record<string, string>> = {
  app: 'tempo',
  'app.kubernetes.io/name': 'tempo',
  'app.kubernetes.io/instance': INSTANCE,
  'app.kubernetes.io/part-of': 'tempo',
};

/** Labels for objects that belong to the stack as a whole (namespace, service account, config). */
export const stackLabels = (tempoTag: string): Record<string, string> => ({ ...STACK_LABELS, 'app.kubernetes.io/version': tempoTag });

export const imageTag = (image: string): string => image.slice(image.lastIndexOf(':') + 1);
