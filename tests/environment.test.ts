// Bad input stops `generate` with messages naming the file and the field, and nothing is written.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../scripts/generate';
import { sandbox, type Sandbox } from './helpers/sandbox';

const PROD = 'overlays/prod/environment.yaml';
let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  box = undefined;
  vi.restoreAllMocks();
});

/** Runs generate in a sandbox where `edit` changed prod's file; returns exit code, stderr, and whether files changed. */
function generateWith(edit: (yaml: string) => string, file = PROD) {
  box = sandbox();
  box.write(file, edit(box.read(file)));
  const before = box.snapshot();
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const code = main([], box.dir);
  return { code, stderr: errors.join('\n'), unchanged: JSON.stringify([...box.snapshot()]) === JSON.stringify([...before]) };
}

const cases: Array<[string, (y: string) => string, RegExp]> = [
  ['an unknown key, with a suggestion', (y) => `${y}components:\n  ingester:\n    replica: 3\n`, /prod\/environment\.yaml:\d+:\d+: components\.ingester\.replica: unknown key \(did you mean "replicas"\?\)/],
  ['a wrong type', (y) => `${y}components:\n  ingester:\n    replicas: three\n`, /components\.ingester\.replicas: expected integer, got string "three"/],
  ['zero replicas', (y) => `${y}components:\n  querier:\n    replicas: 0\n`, /components\.querier\.replicas: expected a number >= 1, got number 0/],
  ['negative replicas', (y) => `${y}components:\n  distributor:\n    replicas: -2\n`, /components\.distributor\.replicas: expected a number >= 1, got number -2/],
  ['ingester replicas below the replication factor', (y) => `${y}components:\n  ingester:\n    replicas: 2\n`, /components\.ingester\.replicas: must be at least tempo\.replicationFactor \(3\), got 2/],
  ['an invalid duration', (y) => `${y}retention: 14days\n`, /retention: expected a Go duration such as 336h/],
  ['an invalid quantity', (y) => `${y}components:\n  ingester:\n    storage:\n      size: 2Gib\n`, /components\.ingester\.storage\.size: expected a Kubernetes memory quantity/],
  ['requests above limits', (y) => `${y}components:\n  querier:\n    resources:\n      requests: { memory: 8Gi }\n`, /components\.querier\.resources\.requests\.memory: request 8Gi is above the limit 4Gi/],
  ['an image tag "latest"', (y) => `${y}tempo:\n  tag: latest\n`, /tempo\.tag: expected a pinned image tag/],
  ['a YAML syntax error', (y) => `${y}features: [\n`, /prod\/environment\.yaml:\d+:\d+: YAML syntax error/],
  ['a duplicate key', (y) => `${y}retention: 72h\nretention: 48h\n`, /YAML syntax error: Map keys must be unique/],
  ['an empty file', () => '', /prod\/environment\.yaml: the file is empty/],
  ['a file that is not a mapping', () => '- a\n- b\n', /prod\/environment\.yaml: expected a mapping of settings at the top level, got a list/],
  ['an unknown alert name, with a suggestion', (y) => `${y}alerts:\n  severities:\n    TempoCompactorBehnd: critical\n`, /alerts\.severities\.TempoCompactorBehnd: unknown key \(did you mean "TempoCompactorBehind"\?\)/],
  ['an unknown severity', (y) => `${y}alerts:\n  severities:\n    TempoCompactorBehind: page\n`, /alerts\.severities\.TempoCompactorBehind: expected one of "critical", "warning", "info", got string "page"/],
  ['a percent threshold above 100', (y) => `${y}alerts:\n  thresholds:\n    cacheHitPercent: 150\n`, /alerts\.thresholds\.cacheHitPercent: expected a number <= 100, got number 150/],
  ['a critical volume level above the warning level', (y) => `${y}alerts:\n  thresholds:\n    volumeFreePercent: { critical: 30 }\n`, /alerts\.thresholds\.volumeFreePercent\.critical: must be below the warning level \(20\), got 30/],
  ['critical outstanding blocks not above warning', (y) => `${y}alerts:\n  thresholds:\n    outstandingBlocksPerCompactor: { warning: 300 }\n`, /outstandingBlocksPerCompactor\.critical: must be above the warning level \(300\), got 250/],
  ['an invalid selector label key', (y) => `${y}monitoring:\n  selectorLabels:\n    "bad key": x\n`, /monitoring\.selectorLabels: key "bad key" is not valid: expected a Kubernetes label key/],
  ['a missing required field', (y) => y.replace(/s3:\n  bucket: .*\n/, ''), /\(top level\): missing required key "s3"/],
  ['a missing OIDC issuer (IRSA needs it)', (y) => y.replace(/  oidcIssuer: .*\n/, ''), /prod\/environment\.yaml:\d+:\d+: cluster: missing required key "oidcIssuer"/],
  ['an OIDC issuer that is not an EKS one', (y) => y.replace(/oidcIssuer: .*/, 'oidcIssuer: https://example.com/oidc'), /cluster\.oidcIssuer: expected an EKS OIDC issuer URL/],
  ['an Argo CD revision with a space', (y) => `${y}argocd:\n  targetRevision: my branch\n`, /argocd\.targetRevision: expected a branch, tag or commit/],
  ['a mask pattern RE2 cannot run (lookahead)', (y) => `${y}collector:\n  scrubbing:\n    maskPatterns:\n      - { name: pin, regex: '(?=\\d{4})\\d+' }\n`, /prod\/environment\.yaml:\d+:\d+: collector\.scrubbing\.maskPatterns\.0\.regex: "\(\?=\\d\{4\}\)\\d\+" uses lookaround .*; expected an RE2 \(Go\) regular expression/],
  ['a mask pattern that does not compile', (y) => `${y}collector:\n  scrubbing:\n    maskPatterns:\n      - { name: broken, regex: '[a-z' }\n`, /collector\.scrubbing\.maskPatterns\.0\.regex: "\[a-z" is not a valid regular expression/],
  ['an attribute both deleted and hashed', (y) => `${y}collector:\n  scrubbing:\n    deleteAttributes: [user.id]\n`, /collector\.scrubbing\.hashAttributes: "user\.id" is also in deleteAttributes/],
  ['a collector image without a tag', (y) => `${y}collector:\n  image: otel/opentelemetry-collector-contrib\n`, /collector\.image: expected an image with a pinned tag/],
  ['a vulture image with a tag (the tag is always tempo.tag)', (y) => `${y}vulture:\n  image: grafana/tempo-vulture:2.10.8\n`, /vulture\.image: expected an image repository without a tag/],
  ['a KMS alias (IAM cannot grant on an alias)', (y) => y.replace('  bucket: tempo-traces-prod\n', '  bucket: tempo-traces-prod\n  sse: SSE-KMS\n  kmsKeyId: alias/tempo\n'), /s3\.kmsKeyId: expected a KMS key id .* aliases cannot be granted in IAM/],
];

describe('generate rejects bad input and writes nothing', () => {
  for (const [what, edit, message] of cases) {
    it(what, () => {
      const r = generateWith(edit);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('nothing was written');
      expect(r.unchanged).toBe(true);
    });
  }

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
    expect(changed.sort()).toEqual(['overlays/prod/kustomization.yaml', 'overlays/prod/patches/querier-deployment.yaml']);
    expect(after.get('overlays/prod/patches/querier-deployment.yaml')).toContain('value: 4');
  });

  it('an alert threshold edit changes only that environment\'s rules and their promtool cases', () => {
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
