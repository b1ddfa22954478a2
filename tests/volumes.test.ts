// `npm run volumes:grow`: the steps that grow a StatefulSet component's volumes, for the claims each overlay
// really builds, in the one order that works (pause the sync, grow the claims, orphan the StatefulSets,
// restore the Application); valid shell; every patch a valid PersistentVolumeClaim change.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATEFUL_TARGETS } from '../generators/components/index';
import { Quantity } from '../generators/environment/units';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { loadEnvironments } from '../generators/repository';
import { main } from '../scripts/volumes-grow';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';
import { runMain } from './helpers/run';

const run = (argv: string[]) => runMain(main, argv);
const validator = new KubernetesValidator();

for (const env of loadEnvironments(ROOT)) {
  const objects = build(`overlays/${env.name}`) as Any[];
  // The stateful components this environment's Tempo version runs, with volumes (a 3.0 environment has no ingester).
  const withVolumes = (component: string) =>
    objects.filter(
      (o) => o.kind === 'StatefulSet' && o.spec.template.metadata.labels['app.kubernetes.io/component'] === component && o.spec.volumeClaimTemplates?.length,
    );
  for (const component of STATEFUL_TARGETS.filter((c) => withVolumes(c).length > 0)) {
    const sets = withVolumes(component);
    const current = Quantity.parse(sets[0].spec.volumeClaimTemplates[0].spec.resources.requests.storage);
    const size = `${(current.value / 2 ** 30) * 2}Gi`;

    describe(`volumes:grow --env ${env.name} --component ${component} --size ${size}`, () => {
      const r = run(['--env', env.name, '--component', component, '--size', size]);
      const lines = r.stdout.split('\n');
      const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));

      it('patches every claim the overlay has (every StatefulSet, every ordinal) and waits for each', () => {
        expect(r.code, r.stderr).toBe(0);
        const claims = sets.flatMap((s) => Array.from({ length: s.spec.replicas }, (_, i) => `data-${s.metadata.name}-${i}`));
        expect(lines.filter((l) => l.includes(' patch pvc ')).map((l) => / patch pvc (\S+)/.exec(l)![1])).toEqual(claims);
        expect(lines.filter((l) => l.includes(' wait pvc/')).map((l) => /pvc\/(\S+)/.exec(l)![1])).toEqual(claims);
        expect(lines.filter((l) => l.includes('--cascade=orphan')).map((l) => / delete statefulset (\S+)/.exec(l)![1])).toEqual(
          sets.map((s) => s.metadata.name),
        );
      });

      it('in order: StorageClass, pause the sync, grow, wait, orphan the StatefulSets, restore the Application, check', () => {
        const order = [
          /get storageclass/,
          /patch application .*automated/,
          / patch pvc /,
          / wait pvc\//,
          /--cascade=orphan/,
          /kubectl apply -f argocd\//,
          /get statefulset/,
        ];
        const positions = order.map(at);
        expect(
          positions.every((p) => p >= 0),
          JSON.stringify(positions),
        ).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        const app = /kubectl apply -f (\S+)/.exec(lines[at(/kubectl apply -f/)]!)![1]!;
        expect(existsSync(join(ROOT, app)), app).toBe(true);
        expect(r.stdout).toContain(`get storageclass ${sets[0].spec.volumeClaimTemplates[0].spec.storageClassName} `);
      });

      it('is valid shell, and every patch a valid PersistentVolumeClaim change of exactly the storage request', () => {
        expect(r.stdout).toContain(' patch pvc ');
        const bash = spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' });
        expect(bash.status, bash.stderr).toBe(0);
        for (const l of lines.filter((x) => x.includes(' patch pvc '))) {
          const patch = JSON.parse(/-p '(.*)'$/.exec(l)![1]!);
          expect(patch).toEqual({ spec: { resources: { requests: { storage: size } } } });
          const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'x' }, spec: { accessModes: ['ReadWriteOnce'], ...patch.spec } };
          expect(validator.validate(claim, env.cluster.kubernetesVersion)).toEqual([]);
        }
      });
    });
  }
}

describe('volumes:grow refuses', () => {
  it('a size that does not grow, one beyond EBS, a bad quantity, a component without volumes, no size, an unknown environment', () => {
    const env = loadEnvironments(ROOT)[0]!.name;
    // Without --component: the ingesters, on Tempo 3.0 the live-stores; either way 1Gi shrinks them.
    expect(run(['--env', env, '--size', '1Gi'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--size 1Gi is not above the current \S+: a volume can grow, never shrink/),
    });
    expect(run(['--env', env, '--size', '100Ti'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--size 100Ti is above 64Ti: the largest EBS volume is 64 TiB'),
    });
    expect(run(['--env', env, '--size', 'lots'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--size: expected a Kubernetes quantity such as 100Gi, got "lots"'),
    });
    expect(run(['--env', env, '--size', '1Ti', '--component', 'querier'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--component querier keeps no volume; expected one of: ${STATEFUL_TARGETS.join(', ')}`),
    });
    expect(run(['--env', env])).toMatchObject({ code: 2, stderr: expect.stringContaining('--size is required') });
    expect(run(['--env', 'nowhere', '--size', '1Ti'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no overlays/nowhere/environment.yaml') });
  });
});
