// Bad input stops `generate` with messages naming the file and the field, and nothing is written.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../scripts/generate';
import { sharedSandbox } from './helpers/refusal';
import { sandbox, type Sandbox } from './helpers/sandbox';

const PROD = 'overlays/prod/environment.yaml';
let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  box = undefined;
  vi.restoreAllMocks();
});

/**
 * One copy of the repository for the rejection cases: each edits prod's file, runs generate, and puts the
 * file back; generateWith fails the case when any file of the tree changed.
 */
const { generateWith } = sharedSandbox(main);

/** [rejection class, edit of prod's file, expected message: file, line:col, field and what is expected]. */
const FILE = String.raw`overlays/prod/environment\.yaml`;
const AT = String.raw`overlays/prod/environment\.yaml:\d+:\d+: `;
const cases: Array<[string, (y: string) => string, RegExp]> = [
  ['a YAML syntax error, with line and column', (y) => `${y}features: [\n`, new RegExp(`${AT}YAML syntax error`)],
  [
    'a duplicate key, named',
    (y) => `${y}retention: 72h\nretention: 48h\n`,
    new RegExp(`${AT}retention: duplicate key "retention" \\(first at line \\d+\\); expected each key once`),
  ],
  ['an empty file', () => '', new RegExp(`${FILE}: the file is empty; expected a mapping with at least cluster, aws and s3`)],
  ['a file that is not a mapping', () => '- a\n- b\n', new RegExp(`${FILE}: expected a mapping of settings at the top level, got a list`)],
  [
    'an unknown key, with a suggestion',
    (y) => `${y}components:\n  ingester:\n    replica: 3\n`,
    new RegExp(`${AT}components\\.ingester\\.replica: unknown key \\(did you mean "replicas"\\?\\)`),
  ],
  [
    'an unknown component',
    (y) => `${y}components:\n  ingestor:\n    replicas: 3\n`,
    new RegExp(`${AT}components\\.ingestor: unknown key \\(did you mean "ingester"\\?\\); expected one of: distributor, ingester`),
  ],
  [
    'an unknown key in a tenant',
    (y) => `${y}limits:\n  tenants:\n    acme:\n      rateLimitByte: 1000\n`,
    new RegExp(`${AT}limits\\.tenants\\.acme\\.rateLimitByte: unknown key \\(did you mean "rateLimitBytes"\\?\\)`),
  ],
  [
    'a tenant id Tempo would not accept',
    (y) => `${y}limits:\n  tenants:\n    "acme corp":\n      rateLimitBytes: 1000\n`,
    new RegExp(`${AT}limits\\.tenants: key "acme corp" is not valid: expected a Tempo tenant id`),
  ],
  ['a missing required field', (y) => y.replace(/s3:\n  bucket: .*\n/, ''), new RegExp(`${FILE}: \\(top level\\): missing required key "s3"`)],
  ['a missing OIDC issuer (IRSA needs it)', (y) => y.replace(/  oidcIssuer: .*\n/, ''), new RegExp(`${AT}cluster: missing required key "oidcIssuer"`)],
  [
    'an OIDC issuer that is not an EKS one',
    (y) => y.replace(/oidcIssuer: .*/, 'oidcIssuer: https://example.com/oidc'),
    new RegExp(`${AT}cluster\\.oidcIssuer: expected an EKS OIDC issuer URL`),
  ],
  [
    'an Argo CD revision with a space',
    (y) => `${y}argocd:\n  targetRevision: my branch\n`,
    new RegExp(`${AT}argocd\\.targetRevision: expected a branch, tag or commit`),
  ],
  [
    'a KMS alias (IAM cannot grant on an alias)',
    (y) => y.replace('  bucket: tempo-traces-prod\n', '  bucket: tempo-traces-prod\n  sse: SSE-KMS\n  kmsKeyId: alias/tempo\n'),
    new RegExp(`${AT}s3\\.kmsKeyId: expected a KMS key id .* aliases cannot be granted in IAM`),
  ],
  [
    'a wrong type',
    (y) => `${y}components:\n  ingester:\n    replicas: three\n`,
    new RegExp(`${AT}components\\.ingester\\.replicas: expected integer, got string "three"`),
  ],
  [
    'zero replicas',
    (y) => `${y}components:\n  querier:\n    replicas: 0\n`,
    new RegExp(`${AT}components\\.querier\\.replicas: expected a number >= 1, got number 0`),
  ],
  [
    'negative replicas',
    (y) => `${y}components:\n  distributor:\n    replicas: -2\n`,
    new RegExp(`${AT}components\\.distributor\\.replicas: expected a number >= 1, got number -2`),
  ],
  [
    'ingester replicas below the replication factor',
    (y) => `${y}components:\n  ingester:\n    zoneAware: false\n    replicas: 2\n`,
    new RegExp(
      `${AT}components\\.ingester\\.replicas: 2 ingester\\(s\\) \\(StatefulSet/tempo-stack-ingester\\) for replication factor 3: every trace is written to 3 ingesters`,
    ),
  ],
  [
    'zone-aware ingesters that cannot be split evenly over the zones',
    (y) => `${y}components:\n  ingester:\n    replicas: 4\n`,
    new RegExp(`${AT}components\\.ingester\\.replicas: 4 cannot be split evenly over 3 zones .*expected a multiple of 3`),
  ],
  [
    'zone-aware ingesters with fewer zones than copies',
    (y) => y.replace(/  zones: \[[^\]]*\]\n/, '  zones: [us-east-1a, us-east-1b]\n'),
    new RegExp(`${AT}cluster\\.zones: lists 2 zone\\(s\\), but zone-aware ingesters put each of 3 copies in a different zone; expected at least 3 zones`),
  ],
  [
    'a zone of another region',
    (y) => y.replace(/  zones: \[[^\]]*\]\n/, '  zones: [us-east-1a, us-east-1b, eu-west-1c]\n'),
    new RegExp(`${AT}cluster\\.zones\\.2: eu-west-1c is not a zone of aws\\.region us-east-1; expected us-east-1 and one letter`),
  ],
  [
    'zone awareness with a single copy',
    (y) => `${y}tempo:\n  replicationFactor: 1\n`,
    new RegExp(
      `${AT}tempo\\.replicationFactor: 1: zone-aware ingesters place each copy of a trace in another zone, and there is no second copy; expected components\\.ingester\\.zoneAware: false, or at least 2`,
    ),
  ],
  [
    'the single StatefulSet kept without zone awareness',
    (y) => `${y}components:\n  ingester:\n    zoneAware: false\n    legacyStatefulSet: true\n`,
    new RegExp(
      `${AT}components\\.ingester\\.legacyStatefulSet: keeps the single StatefulSet beside the zones while moving to zoneAware; expected zoneAware: true`,
    ),
  ],
  [
    'an invalid quantity',
    (y) => `${y}components:\n  ingester:\n    storage:\n      size: 2Gib\n`,
    new RegExp(`${AT}components\\.ingester\\.storage\\.size: expected a Kubernetes memory quantity such as 512Mi or 4Gi, got string "2Gib"`),
  ],
  [
    'an invalid duration',
    (y) => `${y}retention: 14days\n`,
    new RegExp(`${AT}retention: expected a Go duration such as 336h, 30m or 1h30m \\(no "d" unit\\), got string "14days"`),
  ],
  [
    'requests above limits',
    (y) => `${y}components:\n  querier:\n    resources:\n      requests: { memory: 8Gi }\n`,
    new RegExp(`${AT}components\\.querier\\.resources\\.requests\\.memory: request 8Gi is above the limit 4Gi; expected requests <= limits`),
  ],
  [
    'an S3 bucket name with characters S3 forbids',
    (y) => y.replace(/bucket: .*/, 'bucket: Tempo_Traces'),
    new RegExp(`${AT}s3\\.bucket: expected an S3 bucket name: 3-63 lowercase letters`),
  ],
  [
    'an S3 bucket name with adjacent periods',
    (y) => y.replace(/bucket: .*/, 'bucket: tempo..traces'),
    new RegExp(`${AT}s3\\.bucket: "tempo\\.\\.traces" has two adjacent periods`),
  ],
  [
    'an S3 bucket name with a reserved prefix',
    (y) => y.replace(/bucket: .*/, 'bucket: xn--tempo'),
    new RegExp(`${AT}s3\\.bucket: "xn--tempo" starts with the reserved prefix "xn--"`),
  ],
  [
    'an unknown AWS region',
    (y) => y.replace(/region: .*/, 'region: us-east-7'),
    new RegExp(`${AT}aws\\.region: expected a known value \\(did you mean "us-east-1"\\?\\), got string "us-east-7"`),
  ],
  [
    'an image tag "latest"',
    (y) => `${y}tempo:\n  tag: latest\n`,
    new RegExp(
      `${AT}tempo\\.tag: expected a pinned image tag such as 3\\.0\\.3 \\(never "latest"\\), or empty for the release tempo.version pins, got string "latest"`,
    ),
  ],
  [
    'a component Tempo 3 does not run',
    (y) => `${y}tempo:\n  version: "3.0"\ncomponents:\n  ingester:\n    replicas: 3\n`,
    new RegExp(`${AT}components\\.ingester: is not run by tempo\\.version 3\\.0: 3\\.0 has no ingester; size the live-store instead`),
  ],
  [
    'a component Tempo 2.10 does not run',
    (y) => `${y}components:\n  live-store:\n    replicas: 3\n`,
    new RegExp(`${AT}components\\.live-store: is not run by tempo\\.version 2\\.10: 2\\.10 has no live-store`),
  ],
  [
    'Kafka settings under Tempo 2.10',
    (y) => `${y}kafka:\n  topic: spans\n`,
    new RegExp(`${AT}kafka: is for Tempo 3's Kafka ingest; tempo\\.version 2\\.10 writes to ingesters`),
  ],
  [
    'block-builders that cannot share the partitions',
    (y) => `${y}tempo:\n  version: "3.0"\ncomponents:\n  block-builder:\n    replicas: 2\n`,
    new RegExp(`${AT}components\\.block-builder\\.replicas: 2 block-builders cannot share 3 partitions .*expected a divisor of 3 \\(1, 3\\)`),
  ],
  [
    'an external Kafka with fewer partitions than live-stores',
    (y) => `${y}tempo:\n  version: "3.0"\nkafka:\n  cluster: external\n  external:\n    address: b-1.kafka:9092\n    partitions: 2\n`,
    new RegExp(`${AT}kafka\\.external\\.partitions: 2 partitions for 3 live-stores per zone`),
  ],
  [
    'an external Kafka without an address',
    (y) => `${y}tempo:\n  version: "3.0"\nkafka:\n  cluster: external\n`,
    new RegExp(`${AT}kafka\\.external\\.address: is required with kafka\\.cluster external`),
  ],
  [
    'an unknown Tempo version',
    (y) => `${y}tempo:\n  version: "2.9"\n`,
    new RegExp(`${AT}tempo\\.version: expected one of "2\\.10", "3\\.0", got string "2\\.9"`),
  ],
  [
    'an image without a tag',
    (y) => `${y}components:\n  memcached:\n    image: memcached\n`,
    new RegExp(`${AT}components\\.memcached\\.image: expected an image with a pinned tag such as .* \\(never "latest"\\), got string "memcached"`),
  ],
  [
    'a Tempo tag other than 2.10.x',
    (y) => `${y}tempo:\n  tag: 3.0.3\n`,
    new RegExp(`${AT}tempo\\.tag: expected a Tempo 2\\.10\\.x tag for tempo\\.version 2\\.10`),
  ],
  [
    'a Kubernetes version this repo does not support',
    (y) => y.replace(/(cluster:\n  name: .*\n)/, '$1  kubernetesVersion: "1.25"\n'),
    new RegExp(`${AT}cluster\\.kubernetesVersion: expected a supported Kubernetes minor version`),
  ],
  [
    'an unknown alert name, with a suggestion',
    (y) => `${y}alerts:\n  severities:\n    TempoCompactorBehnd: critical\n`,
    new RegExp(`${AT}alerts\\.severities\\.TempoCompactorBehnd: unknown alert \\(did you mean "TempoCompactorBehind"\\?\\)`),
  ],
  [
    'an unknown severity',
    (y) => `${y}alerts:\n  severities:\n    TempoCompactorBehind: page\n`,
    new RegExp(`${AT}alerts\\.severities\\.TempoCompactorBehind: expected one of "critical", "warning", "info", got string "page"`),
  ],
  [
    'a percent threshold above 100',
    (y) => `${y}alerts:\n  thresholds:\n    cacheHitPercent: 150\n`,
    new RegExp(`${AT}alerts\\.thresholds\\.cacheHitPercent: expected a number <= 100, got number 150`),
  ],
  [
    'a critical volume level above the warning level',
    (y) => `${y}alerts:\n  thresholds:\n    volumeFreePercent: { critical: 30 }\n`,
    new RegExp(`${AT}alerts\\.thresholds\\.volumeFreePercent\\.critical: must be below the warning level \\(20\\), got 30`),
  ],
  [
    'critical outstanding blocks not above warning',
    (y) => `${y}alerts:\n  thresholds:\n    outstandingBlocksPerCompactor: { warning: 300 }\n`,
    new RegExp(`${AT}alerts\\.thresholds\\.outstandingBlocksPerCompactor\\.critical: must be above the warning level \\(300\\), got 250`),
  ],
  [
    'an invalid selector label key',
    (y) => `${y}monitoring:\n  selectorLabels:\n    "bad key": x\n`,
    new RegExp(`${AT}monitoring\\.selectorLabels: key "bad key" is not valid: expected a Kubernetes label key`),
  ],
  [
    'a mask pattern RE2 cannot run (lookahead)',
    (y) => `${y}components:\n  collector:\n    scrubbing:\n      maskPatterns:\n        - { name: pin, regex: '(?=\\d{4})\\d+' }\n`,
    new RegExp(
      `${AT}components\\.collector\\.scrubbing\\.maskPatterns\\.0\\.regex: "\\(\\?=\\\\d\\{4\\}\\)\\\\d\\+" uses lookaround .*; expected an RE2 \\(Go\\) regular expression`,
    ),
  ],
  [
    'a mask pattern that does not compile',
    (y) => `${y}components:\n  collector:\n    scrubbing:\n      maskPatterns:\n        - { name: broken, regex: '[a-z' }\n`,
    new RegExp(`${AT}components\\.collector\\.scrubbing\\.maskPatterns\\.0\\.regex: "\\[a-z" is not a valid regular expression`),
  ],
  [
    'an attribute both deleted and hashed',
    (y) => `${y}components:\n  collector:\n    scrubbing:\n      deleteAttributes: [user.id]\n`,
    new RegExp(`${AT}components\\.collector\\.scrubbing\\.hashAttributes: "user\\.id" is also in deleteAttributes`),
  ],
  [
    'a collector image without a tag',
    (y) => `${y}components:\n  collector:\n    image: otel/opentelemetry-collector-contrib\n`,
    new RegExp(`${AT}components\\.collector\\.image: expected an image with a pinned tag`),
  ],
  [
    'a vulture image with a tag (the tag is always tempo.tag)',
    (y) => `${y}components:\n  vulture:\n    image: grafana/tempo-vulture:2.10.8\n`,
    new RegExp(`${AT}components\\.vulture\\.image: expected an image repository without a tag`),
  ],
  [
    'a data source URL without a scheme',
    (y) => `${y}grafana:\n  lokiUrl: loki-gateway.monitoring:80\n`,
    new RegExp(`${AT}grafana\\.lokiUrl: expected an http:// or https:// URL, got string "loki-gateway\\.monitoring:80"`),
  ],
  [
    'ephemeral-storage requests above limits',
    (y) => `${y}components:\n  ingester:\n    resources:\n      requests: { ephemeral-storage: 2Gi }\n`,
    new RegExp(`${AT}components\\.ingester\\.resources\\.requests\\.ephemeral-storage: request 2Gi is above the limit 1Gi`),
  ],
  [
    'a namespace name that is not a DNS label',
    (y) => `${y}networkPolicies:\n  grafanaNamespaces: [Monitoring]\n`,
    new RegExp(`${AT}networkPolicies\\.grafanaNamespaces\\.0: expected a DNS label`),
  ],
];

describe('generate rejects bad input and writes nothing', () => {
  for (const [what, edit, message] of cases) {
    it(what, () => {
      const r = generateWith(edit);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('nothing was written');
    });
  }

  it('an environment directory name that is not a DNS label', () => {
    box = sandbox();
    const before = box.snapshot();
    box.write('overlays/Prod_EU/environment.yaml', box.read(PROD));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(main([], box.dir)).toBe(1);
    expect(errors.join('\n')).toMatch(/overlays\/Prod_EU\/environment\.yaml: environment directory name "Prod_EU" must be a DNS label/);
    const after = box.snapshot();
    after.delete('overlays/Prod_EU/environment.yaml');
    expect([...after]).toEqual([...before]);
  });

  it('reports problems of several environments at once', () => {
    box = sandbox();
    box.write(PROD, `${box.read(PROD)}retention: 2weeks\n`);
    box.write('overlays/dev/environment.yaml', `${box.read('overlays/dev/environment.yaml')}bogus: 1\n`);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(main([], box.dir)).toBe(1);
    expect(errors.join('\n')).toMatch(/overlays\/dev\/environment\.yaml:\d+:\d+: bogus: unknown key/);
    expect(errors.join('\n')).toMatch(/overlays\/prod\/environment\.yaml:\d+:\d+: retention/);
  });
});

describe('generate on good input', () => {
  it('is a no-op on the committed tree and removes generated files that no longer belong', () => {
    box = sandbox();
    box.write('overlays/prod/stale-service.yaml', '# Code generated by npm run generate. DO NOT EDIT.\nkind: Service\n');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(main([], box.dir)).toBe(0);
    expect(box.snapshot().has('overlays/prod/stale-service.yaml')).toBe(false);
    expect(main(['--check'], box.dir)).toBe(0);
  });

  it('writes only what an edit changes', () => {
    box = sandbox();
    box.write(PROD, `${box.read(PROD)}components:\n  querier:\n    replicas: 4\n`);
    const before = box.snapshot();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(main([], box.dir)).toBe(0);
    const after = box.snapshot();
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    // README.md: the architecture diagram shows the replicas of every environment.
    expect(changed.sort()).toEqual(['README.md', 'overlays/prod/kustomization.yaml', 'overlays/prod/patches/querier-deployment.yaml']);
    expect(after.get('README.md')).toMatch(/\bprod 4\b/);
    expect(after.get('overlays/prod/patches/querier-deployment.yaml')).toContain('value: 4');
  });

  it("an alert threshold edit changes only that environment's rules and their promtool cases", () => {
    box = sandbox();
    box.write(PROD, `${box.read(PROD)}alerts:\n  thresholds:\n    compactorBehindBlocks: 500\n`);
    const before = box.snapshot();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(main([], box.dir)).toBe(0);
    const after = box.snapshot();
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed.sort()).toEqual(['alerts/prod/prometheusrule.yaml', 'alerts/prod/promtool-tests.yaml']);
    expect(after.get('alerts/prod/prometheusrule.yaml')).toContain('(tempodb_compaction_outstanding_blocks{job="observability/compactor"}) > 500');
  });
});
