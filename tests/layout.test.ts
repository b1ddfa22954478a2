// The promise of the Kustomize layout (generators/kustomize/layout.ts): base/ plus an overlay's patches is
// exactly that environment rendered on its own. Proven with kustomize itself: each overlay's build equals
// the build of a flat kustomization holding the environment's objects whole. And the JSON patches that
// carry the difference, on their own.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type PatchOp, jsonPatch } from '../generators/kustomize/json-patch';
import { baseFiles } from '../generators/kustomize/layout';
import { syncWavePatches } from '../generators/kustomize/sync-waves';
import { renderRepository } from '../generators/repository';
import { ROOT, build, kustomize } from './helpers/kustomize';

const { environments } = renderRepository(ROOT);
const scratch = mkdtempSync(join(tmpdir(), 'tempo-gitops-flat-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment as one kustomization: every object whole, its config files, the shared directories, the sync waves. */
async function flatBuild(name: string): Promise<unknown[]> {
  const r = environments.find((e) => e.env.name === name)!;
  const dir = join(scratch, name);
  // kustomize takes other kustomizations by relative path only.
  const shared = [join(ROOT, 'dashboards'), join(ROOT, 'alerts', name)].map((d) => relative(join(dir, 'base'), d));
  for (const [path, content] of baseFiles(r, shared)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const kustomization = join(dir, 'base', 'kustomization.yaml');
  const k = parse(readFileSync(kustomization, 'utf8'));
  writeFileSync(kustomization, stringify({ ...k, patches: syncWavePatches() }));
  return documents(await kustomize().buildAsync(join(dir, 'base')));
}

const documents = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as unknown);
const byId = (objects: unknown[]) =>
  new Map(
    objects.map((o) => {
      const x = o as { kind: string; metadata: { name: string } };
      return [`${x.kind}/${x.metadata.name}`, o] as const;
    }),
  );

describe('base/ plus an overlay equals the environment rendered whole', () => {
  for (const { env } of environments) {
    it(`overlays/${env.name}`, async () => {
      const overlay = byId(build(`overlays/${env.name}`));
      const flat = byId(await flatBuild(env.name));
      expect([...overlay.keys()].sort()).toEqual([...flat.keys()].sort());
      for (const [id, o] of overlay) expect(o, id).toEqual(flat.get(id));
    });
  }
});

/** Applies RFC 6902 add/replace/remove operations (the kinds jsonPatch emits) to a copy. */
function apply(doc: unknown, ops: PatchOp[]): unknown {
  const out = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    const keys = op.path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (keys.length === 0) return op.op === 'remove' ? undefined : structuredClone(op.value);
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, out);
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = structuredClone(op.value);
  }
  return out;
}

describe('jsonPatch', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['no change', { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }],
    ['a changed scalar', { spec: { replicas: 2 } }, { spec: { replicas: 4 } }],
    ['an added and a removed key', { a: 1, b: 2 }, { a: 1, c: 3 }],
    ['a list of the same length, changed in place', { l: [{ n: 1 }, { n: 2 }] }, { l: [{ n: 1 }, { n: 3 }] }],
    ['a list that grew (replaced whole)', { l: [1, 2] }, { l: [1, 2, 3] }],
    ['keys with / and ~ (escaped)', { annotations: { 'a/b': 'x', 'c~d': 'y' } }, { annotations: { 'a/b': 'z', 'c~d': 'w' } }],
    ['an object replaced by a scalar', { a: { b: 1 } }, { a: 'x' }],
    ['the root replaced', [1], { a: 1 }],
  ];
  for (const [what, from, to] of cases) {
    it(`turns one document into the other: ${what}`, () => {
      expect(apply(from, jsonPatch(from, to))).toEqual(to);
    });
  }

  it('is minimal: nothing for equal documents, one operation for one changed field', () => {
    expect(jsonPatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(jsonPatch({ spec: { replicas: 2, x: 1 } }, { spec: { replicas: 4, x: 1 } })).toEqual([{ op: 'replace', path: '/spec/replicas', value: 4 }]);
    expect(jsonPatch({ m: { 'a/b': 1 } }, { m: {} })).toEqual([{ op: 'remove', path: '/m/a~1b' }]);
  });
});
