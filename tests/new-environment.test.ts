// A new environment is one new file: in a copy of the repository, a 10-line overlays/<name>/environment.yaml
// is all it takes for generate to render its overlay, alerts, AWS documents and Argo CD Application, and
// for validate to pass it (real kustomize, strict schemas, Tempo rules, policies). Every other test takes
// the environment list from overlays/*/environment.yaml, so they cover the new one too.
import { afterAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../generators/repository';
import { main as generate } from '../scripts/generate';
import { main as validate } from '../scripts/validate';
import { ROOT } from './helpers/kustomize';
import { runMain } from './helpers/run';
import { sandbox } from './helpers/sandbox';

const NAME = 'qa-throwaway';
const FILE = `# yaml-language-server: $schema=../environment.schema.json
cluster:
  name: gaming-platform-${NAME}
  server: https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com
  oidcIssuer: https://oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9
  zones: [us-east-1a, us-east-1b, us-east-1c]
aws:
  region: us-east-1
  accountId: "444444444444"
s3:
  bucket: tempo-traces-${NAME}
`;

describe('a new environment file', () => {
  const box = sandbox();
  afterAll(() => box.remove());
  box.write(`overlays/${NAME}/environment.yaml`, FILE);

  it('is picked up and rendered by generate, next to the others', () => {
    expect(environmentNames(box.dir)).toEqual([...environmentNames(ROOT), NAME].sort());
    const r = runMain(generate, [], box.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NAME} +\\d+ objects`, 'm'));
    for (const file of [
      `overlays/${NAME}/kustomization.yaml`,
      `overlays/${NAME}/tempo.yaml`,
      `alerts/${NAME}/prometheusrule.yaml`,
      `overlays/${NAME}/aws/lifecycle.json`,
      `argocd/tempo-${NAME}-application.yaml`,
    ]) {
      expect(() => box.read(file), file).not.toThrow();
    }
    expect(box.read('argocd/kustomization.yaml')).toContain(`tempo-${NAME}-application.yaml`);
    expect(box.read('README.md')).toContain(`${NAME} 3`);
  });

  it('passes validate: kustomize, strict schemas, Tempo rules and policies', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    console.error = (...a: unknown[]) => void err.push(a.join(' '));
    try {
      expect(await validate([NAME], box.dir)).toBe(0);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(err).toEqual([]);
    expect(out[0]).toMatch(new RegExp(`^overlays/${NAME} +\\d+ objects checked, 0 error\\(s\\)$`));
  });
});
