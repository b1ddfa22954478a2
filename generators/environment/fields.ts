// Building blocks of the environment definition: each is a JSON Schema (TypeBox) whose static type is
// what the generators read. Fields carry their description and their default; the unit fields (Go
// durations, CPU and byte quantities) decode into Duration and Quantity when a file is loaded.
import Type, { type Static, type TSchema } from 'typebox';
import { type Duration, type Quantity, UNIT_PATTERNS } from './units';

export const PATTERNS = {
  ...UNIT_PATTERNS,
  imageTag: '^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  imageTagOrEmpty: '^$|^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  hostPortOrEmpty: '^$|^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?:[0-9]{1,5}$',
  kafkaTopic: '^[A-Za-z0-9._-]{1,249}$',
  s3Bucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  tenantId: "^[A-Za-z0-9!._*'()-]{1,150}$",
  tenantIds: "^[A-Za-z0-9!._*'()-]{1,150}(\\|[A-Za-z0-9!._*'()-]{1,150})*$",
  dnsLabel: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
  httpsUrl: '^https://[^\\s]+$',
  oidcIssuer: '^https://oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/id/[A-Za-z0-9]{16,64}$',
  gitUrl: '^(https://|ssh://|git@)[^\\s]+$',
  gitRevision: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$',
  kmsKey: '^$|^(mrk-)?[0-9a-f-]{32,36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-f-]{32,36}$',
  labelKey: '^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  labelValue: '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$',
  pinnedImage: '^[a-z0-9./_-]+:(?!latest$)[A-Za-z0-9_.-]+$',
  imageRepository: '^[a-z0-9./_-]+$',
  attributeKey: '^[A-Za-z0-9_.-]+$',
  clusterName: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
  kubernetesVersion: '^1\\.(2[89]|3[0-9])$',
  availabilityZone: '^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$',
  httpUrl: '^https?://[^\\s]+$',
  accountId: '^[0-9]{12}$',
  s3Prefix: '^[A-Za-z0-9!_.*()-]+(/[A-Za-z0-9!_.*()-]+)*$',
  scrapeInterval: '^[0-9]+(ms|s|m|h)$',
  issuerName: '^$|^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$',
  pemCertificate: '^$|^-----BEGIN CERTIFICATE-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END CERTIFICATE-----\\r?\\n?$',
} as const;

/** Shown in messages next to a failed pattern, so a user knows what is expected. */
export const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.cpu]: 'a Kubernetes CPU quantity such as 500m or 2',
  [PATTERNS.bytes]: 'a Kubernetes memory quantity such as 512Mi or 4Gi',
  [PATTERNS.goDuration]: 'a Go duration such as 336h, 30m or 1h30m (no "d" unit)',
  [PATTERNS.imageTag]: 'a pinned image tag such as 2.10.8 (never "latest")',
  [PATTERNS.imageTagOrEmpty]: 'a pinned image tag such as 3.0.3 (never "latest"), or empty for the release tempo.version pins',
  [PATTERNS.hostPortOrEmpty]: 'one broker address host:port such as b-1.tempo.abc123.c2.kafka.us-east-1.amazonaws.com:9092',
  [PATTERNS.kafkaTopic]: 'a Kafka topic name: up to 249 of A-Z a-z 0-9 . _ -',
  [PATTERNS.s3Bucket]: 'an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
  [PATTERNS.tenantId]: "a Tempo tenant id: up to 150 of A-Z a-z 0-9 ! - _ . * ' ( )",
  [PATTERNS.tenantIds]: "Tempo tenant ids separated by | (each up to 150 of A-Z a-z 0-9 ! - _ . * ' ( ))",
  [PATTERNS.httpsUrl]: 'an https:// URL such as https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com',
  [PATTERNS.oidcIssuer]: 'an EKS OIDC issuer URL such as https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
  [PATTERNS.gitUrl]: 'a Git URL (https://, ssh:// or git@)',
  [PATTERNS.gitRevision]: 'a branch, tag or commit such as main or v1.4.0',
  [PATTERNS.kmsKey]: 'a KMS key id (a UUID, or mrk-… for a multi-Region key) or a key ARN; aliases cannot be granted in IAM',
  [PATTERNS.labelKey]: 'a Kubernetes label key such as release or example.com/team',
  [PATTERNS.labelValue]: 'a Kubernetes label value: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
  [PATTERNS.pinnedImage]: 'an image with a pinned tag such as otel/opentelemetry-collector-contrib:0.159.0 (never "latest")',
  [PATTERNS.imageRepository]: 'an image repository without a tag, such as grafana/tempo-vulture',
  [PATTERNS.attributeKey]: 'an attribute key such as user.id or http.request.header.authorization',
  [PATTERNS.dnsLabel]: 'a DNS label: lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit',
  [PATTERNS.clusterName]: 'an EKS cluster name: letters, digits, "-" and "_", starting with a letter or digit',
  [PATTERNS.kubernetesVersion]: 'a supported Kubernetes minor version in quotes, such as "1.32" (1.28 or later)',
  [PATTERNS.availabilityZone]: 'an AWS availability zone name such as us-east-1a (the region and one letter)',
  [PATTERNS.httpUrl]: 'an http:// or https:// URL',
  [PATTERNS.accountId]: 'a 12-digit AWS account id in quotes, such as "123456789012"',
  [PATTERNS.s3Prefix]: 'an S3 key prefix such as traces or tempo/prod (no leading or trailing "/")',
  [PATTERNS.scrapeInterval]: 'a Prometheus duration such as 30s or 1m',
  [PATTERNS.issuerName]: 'empty, or a Kubernetes object name such as platform-ca',
  [PATTERNS.pemCertificate]: 'empty, or one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
};

type Pattern = (typeof PATTERNS)[keyof typeof PATTERNS];
const withDefault = <T>(value: T | undefined) => (value === undefined ? {} : { default: value });

/** A strict object: an unknown key is an error. Every property is required in the loaded environment. */
export const object = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const str = (description: string, pattern?: Pattern, fallback?: string) =>
  Type.String({ description, ...(pattern ? { pattern } : {}), ...withDefault(fallback) });
export const text = (description: string, fallback?: string) => Type.String({ description, minLength: 1, ...withDefault(fallback) });
/** Above 2^53 a JavaScript number is no longer an exact integer (YAML's 1e20 is one): the ceiling of every int. */
export const MAX_INT = Number.MAX_SAFE_INTEGER;
export const int = (description: string, minimum: number, fallback?: number, maximum = MAX_INT) =>
  Type.Integer({ description, minimum, maximum, ...withDefault(fallback) });
export const num = (description: string, minimum: number, fallback?: number, maximum?: number) =>
  Type.Number({ description, minimum, ...(maximum === undefined ? {} : { maximum }), ...withDefault(fallback) });
export const positive = (description: string, fallback?: number) => Type.Number({ description, exclusiveMinimum: 0, ...withDefault(fallback) });
export const percent = (description: string, fallback?: number, minimum = 0) => num(`${description}, percent`, minimum, fallback, 100);
export const bool = (description: string, fallback?: boolean) => Type.Boolean({ description, ...withDefault(fallback) });
export const oneOf = <const V extends string[]>(values: V, description?: string, fallback?: V[number]) =>
  Type.Unsafe<V[number]>({ enum: values, ...(description ? { description } : {}), ...withDefault(fallback) });
export const list = <T extends TSchema>(items: T, description: string, fallback?: unknown[], unique = false) =>
  Type.Array(items, { description, ...(unique ? { uniqueItems: true } : {}), ...withDefault(fallback) });
/** A map whose keys match `keyPattern` (reported with its hint when one does not). */
export const map = <T extends TSchema>(keyPattern: string, values: T, description: string) =>
  Type.Unsafe<Record<string, Static<T>>>({
    type: 'object',
    description,
    propertyNames: { pattern: keyPattern },
    additionalProperties: values,
    default: {},
  });

/** A Go duration, decoded into a Duration. */
export const duration = (description: string, fallback?: string) =>
  Type.Unsafe<Duration>({ type: 'string', description, pattern: PATTERNS.goDuration, ...withDefault(fallback) });
/** The least a quantity may be and why (a process that cannot start below it); checks.ts enforces it. */
export interface Floor {
  least: string;
  why: string;
  /** The most it may be and why: beyond it a value is a typo (an extra digit, Ti for Gi). */
  ceiling?: { most: string; why: string };
}
const FLOORS = new WeakMap<object, Floor>();
/** The floor of a quantity field of the definition (the schema objects are shared, not copied). */
export const floorOf = (schema: object): Floor | undefined => FLOORS.get(schema);
const withFloor = <T extends object>(schema: T, floor?: Floor): T => {
  if (floor) FLOORS.set(schema, floor);
  return schema;
};
const atLeast = (description: string, floor?: Floor) =>
  floor ? `${description} (at least ${floor.least}${floor.ceiling ? `, at most ${floor.ceiling.most}` : ''})` : description;

/** Below 10m a Go process is throttled for seconds at start (GC, TLS, config parsing) and misses its probes. */
export const CPU_FLOOR: Floor = {
  least: '10m',
  why: 'a Go process gets too little CPU below 10m to start within its probes',
  ceiling: { most: '256', why: 'a sane bound for one container, far above what any component here needs; a larger value is a typo' },
};
/** Far above any container here; it also keeps GOMEMLIMIT a number Go can parse (an int64 of bytes, no exponent). */
const MEMORY_CEILING = { most: '4Ti', why: 'a sane bound for one container, far above what any component here needs; a larger value is a typo' };
/** The kubelet keeps up to 5 log files of 10Mi per container (containerLogMaxFiles, containerLogMaxSize): they count against it. */
const EPHEMERAL_FLOOR: Floor = { least: '64Mi', why: "the kubelet keeps up to 50Mi of a container's logs (5 files of 10Mi), counted against this" };
/** EBS's smallest gp3/gp2/io volume is 1 GiB; a PVC for less is either refused or rounded up. */
export const VOLUME_FLOOR: Floor = {
  least: '1Gi',
  why: 'the smallest EBS volume is 1 GiB',
  ceiling: { most: '64Ti', why: 'the largest EBS volume is 64 TiB (io2 Block Express; gp3 16 TiB)' },
};

/** A Kubernetes CPU quantity, decoded into a Quantity (cores). */
export const cpu = (description: string, fallback?: string, floor: Floor = CPU_FLOOR) =>
  withFloor(Type.Unsafe<Quantity>({ type: 'string', description: atLeast(description, floor), pattern: PATTERNS.cpu, ...withDefault(fallback) }), floor);
/** A Kubernetes byte quantity (memory, volume size), decoded into a Quantity (bytes). */
export const bytes = (description: string, fallback?: string, floor?: Floor) =>
  withFloor(Type.Unsafe<Quantity>({ type: 'string', description: atLeast(description, floor), pattern: PATTERNS.bytes, ...withDefault(fallback) }), floor);

/** Type.Optional copies the schema: the copy keeps the floor. */
const optional = <T extends TSchema>(schema: T) => withFloor(Type.Optional(schema), FLOORS.get(schema));

/** Requests and limits of a container; `ephemeral-storage` is optional (set where a container writes). */
export interface ResourceFigures {
  requests: { cpu: string; memory: string; 'ephemeral-storage'?: string };
  limits: { cpu: string; memory: string; 'ephemeral-storage'?: string };
}
const figures = (kind: 'requests' | 'limits', f: ResourceFigures[typeof kind], memoryFloor: Floor) => {
  const what = kind === 'requests' ? 'request' : 'limit';
  return object({
    cpu: cpu(`CPU ${what}`, f.cpu),
    memory: bytes(kind === 'limits' ? 'Memory limit; GOMEMLIMIT is set to 90% of it' : 'Memory request', f.memory, { ...memoryFloor, ceiling: MEMORY_CEILING }),
    'ephemeral-storage': optional(
      bytes(
        kind === 'limits'
          ? 'Node disk limit for emptyDir volumes and logs (the pod is evicted above it)'
          : 'Node disk request for emptyDir volumes (/tmp, scratch) and logs',
        f['ephemeral-storage'],
        EPHEMERAL_FLOOR,
      ),
    ),
  });
};
/** `memoryFloor`: what the process needs to start (each component says why); requests and limits both. */
export const resources = (f: ResourceFigures, memoryFloor: Floor) =>
  object(
    { requests: figures('requests', f.requests, memoryFloor), limits: figures('limits', f.limits, memoryFloor) },
    'Container requests and limits (requests must not exceed limits)',
  );

/** Kubernetes stores replica counts as int32. */
export const INT32_MAX = 2 ** 31 - 1;
/** `maximum`: a sane bound for the component (far below Kubernetes' int32 limit); a larger count is a typo. */
export const replicas = (fallback: number, maximum: number, description = 'Number of pods') =>
  int(`${description} (at most ${maximum}; Kubernetes' own limit is ${INT32_MAX})`, 1, fallback, maximum);

export const volume = (size: string, storageClass = 'gp3') =>
  object(
    {
      size: bytes('PersistentVolumeClaim size per replica (immutable once created)', size, VOLUME_FLOOR),
      storageClass: str('StorageClass of the volume', PATTERNS.dnsLabel, storageClass),
    },
    'Persistent volume per replica',
  );

/** `maximum`: the component's bound on replicas, which the autoscaler's bounds share. */
export const autoscaling = (minReplicas: number, maxReplicas: number, maximum: number) =>
  object(
    {
      enabled: bool('Create a HorizontalPodAutoscaler (the workload then leaves replicas to it)', false),
      minReplicas: int(`Lower bound (at most ${maximum})`, 1, minReplicas, maximum),
      maxReplicas: int(`Upper bound (>= minReplicas, at most ${maximum})`, 1, maxReplicas, maximum),
      targetCPUUtilizationPercentage: int('Average CPU utilisation to aim for', 1, 70, 100),
    },
    'HorizontalPodAutoscaler on CPU',
  );
