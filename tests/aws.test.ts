// The AWS documents in overlays/<env>/aws/, the lifecycle-vs-retention rule, and `npm run bootstrap:aws`
// (dry run only: nothing here ever calls AWS).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapScript } from '../generators/aws/bootstrap';
import { TEMPO_BUCKET_ACTIONS, TEMPO_OBJECT_ACTIONS, awsDocuments, encryption, s3Policy } from '../generators/aws/documents';
import { cheapestReadableClass } from '../generators/cost';
import { mergeEnvironment } from '../generators/environment/load';
import { loadEnvironments, environmentNames } from '../generators/repository';
import { main as bootstrap } from '../scripts/bootstrap-aws';
import { main as generate } from '../scripts/generate';
import { ROOT, build } from './helpers/kustomize';
import { runMain as run } from './helpers/run';
import { sandbox, type Sandbox } from './helpers/sandbox';
import type { Any } from './helpers/objects';

const envs = loadEnvironments(ROOT);
const read = (env: string, file: string): Any => JSON.parse(readFileSync(join(ROOT, 'overlays', env, 'aws', file), 'utf8'));

let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  box = undefined;
});

for (const env of envs) {
  describe(`overlays/${env.name}/aws`, () => {
    it('the IAM policy grants exactly the actions Tempo needs on exactly this bucket', () => {
      const policy = read(env.name, 's3-policy.json');
      expect(policy.Version).toBe('2012-10-17');
      const grants = policy.Statement.map((s: Any) => {
        expect(s.Effect).toBe('Allow');
        expect(s).not.toHaveProperty('NotAction');
        return { actions: [...s.Action].sort(), resources: s.Resource };
      });
      expect(grants).toEqual([
        { actions: ['s3:ListBucket'], resources: [`arn:aws:s3:::${env.s3.bucket}`] },
        {
          actions: ['s3:DeleteObject', 's3:GetObject', 's3:GetObjectTagging', 's3:PutObject', 's3:PutObjectTagging'],
          resources: [`arn:aws:s3:::${env.s3.bucket}/*`],
        },
      ]);
    });

    it('the lifecycle expires blocks only after retention plus a margin, cleans old versions and stuck uploads, under the prefix', () => {
      const { Rules } = read(env.name, 'lifecycle.json');
      for (const r of Rules) {
        expect(r.Status).toBe('Enabled');
        expect(r.Filter).toEqual({ Prefix: `${env.s3.prefix}/` });
      }
      const [blocks, markers] = Rules;
      expect(blocks.Expiration.Days * 24).toBeGreaterThan(env.retention.hours + 1);
      expect(blocks.NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThanOrEqual(1);
      expect(blocks.AbortIncompleteMultipartUpload.DaysAfterInitiation).toBeGreaterThanOrEqual(1);
      // S3 refuses ExpiredObjectDeleteMarker next to Days in one rule.
      expect(markers.Expiration).toEqual({ ExpiredObjectDeleteMarker: true });
    });

    it('the lifecycle moves no block to another storage class: for this retention Standard is the cheapest Tempo can read', () => {
      const { Rules } = read(env.name, 'lifecycle.json');
      for (const r of Rules) expect(Object.keys(r).filter((k) => /Transition/.test(k))).toEqual([]);
      expect(cheapestReadableClass(env)).toBe('STANDARD');
      // Intelligent-Tiering only starts saving after 30 days without access; these blocks are gone sooner.
      expect(env.retention.days + env.s3.lifecycle.noncurrentVersionDays).toBeLessThan(30);
    });

    it('default encryption, every public access blocked', () => {
      expect(read(env.name, 'encryption.json').Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe(env.s3.sse === 'SSE-KMS' ? 'aws:kms' : 'AES256');
      expect(read(env.name, 'public-access-block.json')).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
    });

    it('the IRSA trust policy admits exactly one service account of this cluster', () => {
      const file = env.s3.credentials === 'irsa' ? 'tempo-trust-policy.json' : 'secret-store-trust-policy.json';
      const sa = env.s3.credentials === 'irsa' ? 'tempo-stack' : 'tempo-stack-secret-store';
      const provider = env.cluster.oidcIssuer.replace('https://', '');
      const [s] = read(env.name, file).Statement;
      expect(s.Principal).toEqual({ Federated: `arn:aws:iam::${env.aws.accountId}:oidc-provider/${provider}` });
      expect(s.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(s.Condition).toEqual({
        StringEquals: { [`${provider}:sub`]: `system:serviceaccount:observability:${sa}`, [`${provider}:aud`]: 'sts.amazonaws.com' },
      });
    });

    it('kustomize never reads the JSON (no kustomization lists aws/, no such object is rendered)', () => {
      expect(readFileSync(join(ROOT, 'overlays', env.name, 'kustomization.yaml'), 'utf8')).not.toMatch(/aws\//);
      for (const o of build(`overlays/${env.name}`)) {
        expect(o.apiVersion && o.kind, JSON.stringify(o).slice(0, 80)).toBeTruthy();
        expect(o).not.toHaveProperty('Statement');
      }
    });

    it(`bootstrap:aws --env ${env.name} prints every step as a valid bash script, and runs nothing`, () => {
      const r = run(bootstrap, ['--env', env.name]);
      expect(r.code).toBe(0);
      const steps = [
        'sts get-caller-identity',
        's3api create-bucket',
        'put-bucket-versioning',
        'put-bucket-lifecycle-configuration',
        'put-bucket-encryption',
        'put-public-access-block',
        'iam create-role',
        'put-role-policy',
      ];
      const modeSteps =
        env.s3.credentials === 'externalSecrets'
          ? ['iam create-user', 'put-user-policy', 'secretsmanager create-secret --region', 'iam create-access-key']
          : [];
      for (const step of [...steps, ...modeSteps]) expect(r.stdout).toContain(step);
      if (env.s3.credentials === 'irsa') expect(r.stdout).not.toMatch(/secretsmanager|access-key/);
      expect(r.stdout).toContain(`= ${env.aws.accountId} ||`);
      for (const [, path] of r.stdout.matchAll(/file:\/\/(\S+)/g)) expect(existsSync(join(ROOT, path!)), path).toBe(true);
      const syntax = spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
      expect(r.stdout).toContain(bootstrapScript(env));
    });
  });
}

describe('AWS documents for other settings', () => {
  const prod = envs.find((e) => e.name === 'prod')!;
  it('SSE-KMS: the bucket key, and KMS use granted on exactly that key', () => {
    const kms = mergeEnvironment('prod', { ...prod, s3: { ...prod.s3, sse: 'SSE-KMS', kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' } });
    const arn = `arn:aws:kms:${prod.aws.region}:${prod.aws.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(encryption(kms)).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn }, BucketKeyEnabled: true }],
    });
    expect((s3Policy(kms).Statement as Any[]).at(-1)).toEqual({
      Sid: 'UseTheBucketKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [arn],
    });
  });

  it('Tempo 3 with an external Kafka (SASL/PLAIN): the SecretStore role reads tempo/kafka-credentials, and bootstrap:aws creates it', () => {
    const v3 = envs.find((e) => e.tempo.version === '3.0') ?? prod;
    const external = {
      cluster: 'external',
      external: { address: 'b-1.kafka.example.internal:9092', partitions: v3.components['live-store'].replicas, sasl: true },
    };
    for (const credentials of ['irsa', 'externalSecrets'] as const) {
      const env = mergeEnvironment(v3.name, {
        ...v3,
        tempo: { ...v3.tempo, version: '3.0' },
        s3: { ...v3.s3, credentials },
        kafka: { ...v3.kafka, ...external },
      });
      const docs = awsDocuments(env);
      const kafkaArn = `arn:aws:secretsmanager:${env.aws.region}:${env.aws.accountId}:secret:tempo/kafka-credentials-??????`;
      const s3Arn = `arn:aws:secretsmanager:${env.aws.region}:${env.aws.accountId}:secret:tempo/s3-credentials-??????`;
      expect(
        (docs['secret-store-policy.json']!.Statement as Any[]).map((s) => s.Resource[0]),
        credentials,
      ).toEqual(credentials === 'irsa' ? [kafkaArn] : [s3Arn, kafkaArn]);
      const sub = Object.values((docs['secret-store-trust-policy.json']!.Statement as Any[])[0].Condition.StringEquals);
      expect(sub).toContain('system:serviceaccount:observability:tempo-stack-secret-store');
      expect(Object.keys(docs).includes('tempo-trust-policy.json')).toBe(credentials === 'irsa');
      const script = bootstrapScript(env);
      expect(script).toContain('secretsmanager create-secret --region us-east-1 --name tempo/kafka-credentials');
      expect(script).toContain('test -n "${KAFKA_SASL_USERNAME:-}" && test -n "${KAFKA_SASL_PASSWORD:-}"');
      expect(script).toMatch(/put-role-policy --role-name \S+-tempo-secret-store .*secret-store-policy\.json/);
      const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
      // The secret's JSON as the step builds it: the ExternalSecret's properties, whatever the password holds.
      const json = /--secret-string "\$\((node -e '[^']*')\)"/.exec(script)![1]!;
      const made = spawnSync('bash', ['-c', json], {
        env: { ...process.env, KAFKA_SASL_USERNAME: 'tempo', KAFKA_SASL_PASSWORD: `p"a'ss w$rd` },
        encoding: 'utf8',
      });
      expect(JSON.parse(made.stdout)).toEqual({ username: 'tempo', password: `p"a'ss w$rd` });
    }
    // Without SASL (Strimzi, or MSK's plaintext listener) no secret-store document exists under IRSA.
    const strimzi = mergeEnvironment(v3.name, { ...v3, tempo: { ...v3.tempo, version: '3.0' }, s3: { ...v3.s3, credentials: 'irsa' } });
    if (strimzi.kafka.cluster === 'strimzi') expect(Object.keys(awsDocuments(strimzi))).not.toContain('secret-store-policy.json');
  });

  it('China and GovCloud regions use their ARN partition', () => {
    const cn = mergeEnvironment('prod', { ...prod, aws: { region: 'cn-north-1', accountId: prod.aws.accountId } });
    expect(JSON.stringify(awsDocuments(cn))).toContain('arn:aws-cn:s3:::tempo-traces-prod');
    expect(JSON.stringify(awsDocuments(cn))).not.toContain('arn:aws:');
  });

  it("the action lists are Tempo's documented minimal set", () => {
    expect([...TEMPO_BUCKET_ACTIONS, ...TEMPO_OBJECT_ACTIONS].sort()).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:GetObjectTagging',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
  });
});

describe('rules and commands', () => {
  const PROD = 'overlays/prod/environment.yaml';
  function generateWith(edit: (yaml: string) => string, file = PROD) {
    box = sandbox();
    box.write(file, edit(box.read(file)));
    const before = JSON.stringify([...box.snapshot()]);
    const r = run(generate, [], box.dir);
    return { ...r, unchanged: JSON.stringify([...box.snapshot()]) === before };
  }

  it('a lifecycle shorter than retention is rejected, naming file, line and field', () => {
    const r = generateWith((y) => y.replace('  bucket: tempo-traces-prod\n', '  bucket: tempo-traces-prod\n  lifecycle: { expirationDays: 14 }\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /overlays\/prod\/environment\.yaml:\d+:\d+: s3\.lifecycle\.expirationDays: 14 days would expire blocks Tempo still serves \(retention 336h = 14 days\); expected at least 15/,
    );
    expect(r.unchanged).toBe(true);
  });

  it("an unset lifecycle follows the longest retention; a set one shorter than a tenant's retention is rejected", () => {
    const longer = generateWith((y) => `${y}retention: 720h\n`);
    expect(longer.code, longer.stderr).toBe(0);
    expect(JSON.parse(box!.read('overlays/prod/aws/lifecycle.json')).Rules[0].Expiration).toEqual({ Days: 31 });
    box!.remove();
    const bucket = '  bucket: tempo-traces-prod\n';
    const r = generateWith(
      (y) =>
        `${y.replace(bucket, `${bucket}  lifecycle: { expirationDays: 15 }\n`)}features: { multitenancy: true }\nlimits: { tenants: { acme: { retention: 720h } } }\n`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /s3\.lifecycle\.expirationDays: 15 days would expire blocks Tempo still serves \(retention of tenant "acme" \(limits\.tenants\) 720h = 30 days\); expected at least 31/,
    );
  });

  it('two environments on one cluster are rejected (their Applications would fight)', () => {
    const r = generateWith((y) => y.replace(/^  server: .*/m, '  server: https://8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F.gr7.us-east-1.eks.amazonaws.com'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overlays\/(prod|staging)\/environment\.yaml:\d+:\d+: cluster\.server: .* is already the cluster of (prod|staging)/);
  });

  it('an OIDC issuer in another region than the cluster is rejected', () => {
    const r = generateWith((y) => y.replace('oidc.eks.us-east-1.', 'oidc.eks.eu-west-1.'));
    expect(r.stderr).toMatch(/cluster\.oidcIssuer: is in region eu-west-1 but aws\.region is us-east-1/);
  });

  it('generate owns overlays/<env>/aws/: a file that no longer belongs is removed', () => {
    box = sandbox();
    box.write('overlays/prod/aws/old-policy.json', '{}\n');
    expect(run(generate, [], box.dir).code).toBe(0);
    expect(box.snapshot().has('overlays/prod/aws/old-policy.json')).toBe(false);
    expect(box.snapshot().has('overlays/prod/aws/s3-policy.json')).toBe(true);
  });

  it('bootstrap:aws refuses stale documents and unknown environments, and never runs anything then', () => {
    box = sandbox();
    box.write(PROD, box.read(PROD).replace('  bucket: tempo-traces-prod\n', '  bucket: tempo-traces-prod\n  lifecycle: { expirationDays: 30 }\n'));
    const stale = run(bootstrap, ['--env', 'prod', '--apply'], box.dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/overlays\/prod\/aws\/lifecycle\.json not up to date .* run `npm run generate`/);
    const unknown = run(bootstrap, ['--env', 'no-such-environment']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`no overlays/no-such-environment/environment.yaml; expected one of: ${environmentNames(ROOT).join(', ')}`);
    expect(run(bootstrap, []).stderr).toMatch(/--env is required/);
  });
});
