// A string -> string memo kept across runs in node_modules/.cache (next to the script bundles and compiled
// validators): `generate` emits the same YAML for the same objects run after run, and emitting it is the
// largest part of its time. Entries not used by a run are dropped when it saves.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface Memo {
  get(input: string, compute: () => string): string;
  /** Writes the entries this run used; a failure (read-only node_modules) only costs speed. */
  save(): void;
}

/** The installed version of a package (part of a memo's version when the package computes its outputs). */
export const packageVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

/** `version` must change whenever the same input may give another output (a library bump). */
export function persistentMemo(name: string, version: string): Memo {
  const file = join(dirname(require.resolve('yaml/package.json')), '..', '.cache', 'tempo-gitops', `${name}-memo.json`);
  let stored: Record<string, string> | undefined;
  const used: Record<string, string> = {};
  let changed = false;
  const load = () => {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version: string; entries: Record<string, string> };
      stored = data.version === version ? data.entries : {};
    } catch {
      stored = {};
    }
    return stored;
  };
  return {
    get(input, compute) {
      const key = createHash('sha1').update(input).digest('base64');
      let out = used[key] ?? (stored ?? load())[key];
      if (out === undefined) {
        out = compute();
        changed = true;
      }
      used[key] = out;
      return out;
    },
    save() {
      if (!changed && Object.keys(used).length === Object.keys(stored ?? {}).length) return;
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(`${file}.${process.pid}`, JSON.stringify({ version, entries: used }));
        renameSync(`${file}.${process.pid}`, file);
      } catch {
        // the memo is an optimisation only
      }
    },
  };
}
