// S3 credentials in both modes, read from the real kustomize build of each overlay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { describe, expect, it } from 'vitest';
import { S3_SECRET_REMOTE, secretStoreRoleArn, tempoRoleArn } from '../generators/aws/names';
import { COMPONENTS, TEMPO_TARGETS } from '../generators/components/index';
import { IRSA_ANNOTATION, RELOAD_ANNOTATION, S3_SECRET, SECRET_STORE_SERVICE_ACCOUNT } from '../generators/credentials';
import type { KubeObject } from '../generators/kubernetes/objects';
import { tlsSecret } from '../generators/tls';
import { loadEnvironments, renderRepository } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';
import { type Any, tempoConfig } from './helpers/objects';

const envs = loadEnvironments(ROOT);
const tempoWorkloads = (objects: Any[]) =>
  objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.spec.template.spec.containers[0].image.startsWith('grafana/tempo:'));
const component = (w: Any) => w.metadata.labels['app.kubernetes.io/component'];
/** The Tempo targets that open the store (all but the distributor). */
const STORAGE_CLIENTS: string[] = TEMPO_TARGETS.filter((t) => COMPONENTS[t].tempo?.opensStore);
/** `${NAME}` references in the config, which -config.expand-env=true fills from the container's env. */
const envRefs = (text: string) => [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!).sort();

it('both modes are rendered: at least one environment each', () => {
  expect(new Set(envs.map((e) => e.s3.credentials))).toEqual(new Set(['externalSecrets', 'irsa']));
});

for (const env of envs) {
  const objects = build(`overlays/${env.name}`) as Any[];
  const find = (kind: string) => objects.filter((o) => o.kind === kind);

  if (env.s3.credentials === 'externalSecrets') {
    describe(`${env.name} (externalSecrets)`, () => {
      it('a SecretStore on AWS Secrets Manager in the env region, authenticating as its own IRSA service account', () => {
        const [store] = find('SecretStore');
        expect(() => new SecretStore(store).validate()).not.toThrow();
        expect(store.spec.provider.aws).toEqual({
          service: 'SecretsManager',
          region: env.aws.region,
          auth: { jwt: { serviceAccountRef: { name: SECRET_STORE_SERVICE_ACCOUNT } } },
        });
        const sa = find('ServiceAccount').find((s) => s.metadata.name === SECRET_STORE_SERVICE_ACCOUNT);
        expect(sa.metadata.annotations[IRSA_ANNOTATION]).toBe(secretStoreRoleArn(env));
        expect(secretStoreRoleArn(env)).toContain(`:${env.aws.accountId}:role/`);
      });

      it('the ExternalSecret keys are exactly the keys the containers read, which are exactly the env vars tempo.yaml uses', () => {
        const [es] = find('ExternalSecret');
        expect(() => new ExternalSecret(es).validate()).not.toThrow();
        expect(es.metadata.name).toBe(S3_SECRET);
        expect(es.spec.target.name).toBe(S3_SECRET);
        expect(es.spec.refreshInterval).toMatch(/^[0-9]+[hms]$/);
        expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: find('SecretStore')[0].metadata.name });
        for (const d of es.spec.data) expect(d.remoteRef).toEqual({ key: S3_SECRET_REMOTE, property: d.secretKey });
        const synced = es.spec.data.map((d: Any) => d.secretKey).sort();
        expect(synced).toEqual(['access_key_id', 'secret_access_key']);

        const cfg = tempoConfig(objects);
        const s3 = cfg.storage.trace.s3;
        const used = envRefs(`${s3.access_key} ${s3.secret_key}`);
        expect(used).toEqual(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);
        for (const w of tempoWorkloads(objects)) {
          const c = w.spec.template.spec.containers[0];
          const fromSecret = c.env.filter((e: Any) => e.valueFrom?.secretKeyRef);
          // The distributor never opens the store: it does not depend on the Secret (or restart with it).
          if (!STORAGE_CLIENTS.includes(component(w))) {
            expect(fromSecret, w.metadata.name).toEqual([]);
            continue;
          }
          expect(fromSecret.map((e: Any) => e.name).sort(), w.metadata.name).toEqual(used);
          for (const e of fromSecret) expect(e.valueFrom.secretKeyRef.name).toBe(S3_SECRET);
          expect(fromSecret.map((e: Any) => e.valueFrom.secretKeyRef.key).sort()).toEqual(synced);
        }
      });

      it('a rotated secret rolls the Tempo pods that read it (Reloader annotation), and only those', () => {
        const workloads = tempoWorkloads(objects);
        // Every store client this environment's Tempo version runs; components, not workloads: zone-aware
        // ingesters are one StatefulSet per zone (OnDelete: Reloader's template change is then rolled out
        // zone by zone by the rollout-operator).
        const running = STORAGE_CLIENTS.filter((t) => COMPONENTS[t as keyof typeof COMPONENTS].versions?.includes(env.tempo.version) ?? true);
        expect(new Set(workloads.filter((w) => STORAGE_CLIENTS.includes(component(w))).map(component)).size).toBe(running.length);
        for (const w of workloads) {
          // With TLS each also rolls with its certificate's Secret (Tempo reloads neither memberlist's certificate nor a CA).
          const secrets = [...(STORAGE_CLIENTS.includes(component(w)) ? [S3_SECRET] : []), ...(env.tls.enabled ? [tlsSecret(component(w))] : [])];
          const expected = secrets.length ? secrets.join(',') : undefined;
          expect(w.metadata.annotations?.[RELOAD_ANNOTATION], w.metadata.name).toBe(expected);
        }
      });
    });
  } else {
    describe(`${env.name} (irsa)`, () => {
      it('the Tempo ServiceAccount carries its IAM role; no static keys anywhere', () => {
        const sa = find('ServiceAccount').find((s) => s.metadata.name === 'tempo-stack');
        expect(sa.metadata.annotations[IRSA_ANNOTATION]).toBe(tempoRoleArn(env));
        expect(tempoRoleArn(env)).toBe(`arn:aws:iam::${env.aws.accountId}:role/${env.cluster.name}-tempo-s3`);
        for (const w of tempoWorkloads(objects)) {
          expect(w.spec.template.spec.serviceAccountName).toBe('tempo-stack');
          expect(
            w.spec.template.spec.containers[0].env.filter((e: Any) => e.valueFrom?.secretKeyRef),
            w.metadata.name,
          ).toEqual([]);
          // No S3 Secret to roll with; with TLS only the certificate's Secret.
          expect(w.metadata.annotations?.[RELOAD_ANNOTATION], w.metadata.name).toBe(env.tls.enabled ? tlsSecret(component(w)) : undefined);
        }
        const s3 = tempoConfig(objects).storage.trace.s3;
        expect(s3).not.toHaveProperty('access_key');
        expect(s3).not.toHaveProperty('secret_key');
        expect(find('ExternalSecret')).toEqual([]);
        expect(find('SecretStore')).toEqual([]);
        expect(objects.map((o) => o.metadata.name)).not.toContain(SECRET_STORE_SERVICE_ACCOUNT);
      });
    });
  }
}

describe('no secret is ever committed', () => {
  const rendered = renderRepository(ROOT);
  it('no Secret with data or stringData, and no secretGenerator, in any generated file or overlay build', () => {
    for (const [path, content] of rendered.files) {
      if (!/\.ya?ml$/.test(path)) continue;
      expect(content, path).not.toMatch(/^kind: Secret$/m);
      expect(content, path).not.toMatch(/secretGenerator/);
      expect(readFileSync(join(ROOT, path), 'utf8')).toBe(content);
    }
    for (const env of envs) {
      const secrets = (build(`overlays/${env.name}`) as KubeObject[]).filter((o) => o.kind === 'Secret');
      expect(secrets, env.name).toEqual([]);
    }
  });

  it('nothing that looks like an AWS key in any generated file', () => {
    for (const [path, content] of rendered.files) {
      expect(content, path).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
      expect(content, path).not.toMatch(/aws_secret_access_key|"SecretAccessKey"\s*:/i);
    }
  });
});
