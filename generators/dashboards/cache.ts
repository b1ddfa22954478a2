// Building the dashboards loads the Grafana Foundation SDK (~80 ms). Their JSON depends on the code
// only, never on the environment files, so when `generate` runs from its scripts/run.mjs bundle, whose
// file name already carries a hash of every source file and of package-lock.json, the result is kept
// next to that bundle: editing an environment.yaml never loads the SDK, and any code change (a new
// bundle) builds afresh. run.mjs deletes the old bundle and this file with it. Outside a bundle (vitest)
// nothing is cached.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUNDLE = /[\\/]node_modules[\\/]\.cache[\\/]tempo-gitops[\\/][\w-]+-[0-9a-f]{16}\.mjs$/;

export function cachedNextToBundle(key: string, build: () => Array<[string, string]>): Array<[string, string]> {
  const here = fileURLToPath(import.meta.url);
  if (!BUNDLE.test(here)) return build();
  const file = here.replace(/\.mjs$/, `.${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Array<[string, string]>;
  const value = build();
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
  } catch {
    // a read-only node_modules (scripts/run.mjs then bundles outside it): the cache only saves time
  }
  return value;
}
