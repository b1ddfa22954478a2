// How `npm run diff` prints a rendered diff: text for a terminal (optionally coloured), markdown for a PR
// comment (kept under GitHub's comment size, long patches folded).
export interface ObjectChange {
  /** `Kind/name`; generated ConfigMaps and Secrets without their content-hash suffix. */
  id: string;
  /** Unified diff of the object's YAML. */
  patch: string;
}

export interface EnvironmentDiff {
  env: string;
  /** False when the inputs were byte-identical on both sides, so nothing was built. */
  built: boolean;
  added: string[];
  removed: string[];
  changed: ObjectChange[];
  /** Changes a reviewer must not miss, said in one line each (encryption in transit turned off). */
  notices?: string[];
}

export interface RenderedDiff {
  base: { label: string; commit: string };
  /** `kubectl kustomize 5.5.0`; absent when nothing had to be built. */
  kustomize?: string;
  environments: EnvironmentDiff[];
}

const changeCount = (e: EnvironmentDiff) => e.added.length + e.removed.length + e.changed.length;

const summary = (e: EnvironmentDiff): string => {
  if (changeCount(e) === 0) return e.built ? 'no object changed' : 'no change';
  const parts = [
    ...(e.notices ?? []).map((n) => `!! ${n}`),
    e.changed.length && `${e.changed.length} changed`,
    e.added.length && `${e.added.length} added`,
    e.removed.length && `${e.removed.length} removed`,
  ];
  return parts.filter(Boolean).join(', ');
};

const objectLines = (e: EnvironmentDiff): Array<[mark: '+' | '-' | '~', id: string]> => [
  ...e.added.map((id) => ['+', id] as ['+', string]),
  ...e.removed.map((id) => ['-', id] as ['-', string]),
  ...e.changed.map((c) => ['~', c.id] as ['~', string]),
];

const baseLine = (d: RenderedDiff) => {
  const commit = d.base.commit.slice(0, 12);
  const base = d.base.commit.startsWith(d.base.label) ? commit : `${d.base.label} (${commit})`; // --base <sha>: once
  return `${base} → working tree${d.kustomize ? `, built with ${d.kustomize}` : ''}`;
};

export function formatText(d: RenderedDiff, colour = false): string {
  const paint = (code: number) => (s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const [bold, red, green, cyan] = [paint(1), paint(31), paint(32), paint(36)];
  const width = Math.max(...d.environments.map((e) => e.env.length), 3);
  const out = [bold(`Rendered objects per environment: ${baseLine(d)}`)];
  for (const e of d.environments) out.push(`  ${e.env.padEnd(width)}  ${summary(e)}`);
  for (const e of d.environments.filter(changeCount)) {
    out.push('', bold(`${e.env}: ${summary(e)}`));
    for (const n of e.notices ?? []) out.push(bold(red(`  !! ${n}`)));
    for (const [mark, id] of objectLines(e)) out.push(`  ${(mark === '+' ? green : mark === '-' ? red : cyan)(`${mark} ${id}`)}`);
    for (const c of e.changed) {
      out.push('');
      for (const line of c.patch.trimEnd().split('\n')) {
        if (line.startsWith('+++') || line.startsWith('---')) out.push(bold(line));
        else if (line.startsWith('@@')) out.push(cyan(line));
        else if (line.startsWith('+')) out.push(green(line));
        else if (line.startsWith('-')) out.push(red(line));
        else out.push(line);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** GitHub refuses comments over 65,536 characters: stop adding diffs well before. */
const MARKDOWN_BUDGET = 60_000;

/** A fence longer than any backtick run in the content (alert runbooks may quote code). */
const fence = (content: string) => '`'.repeat(Math.max(3, ...[...content.matchAll(/`+/g)].map((m) => m[0].length + 1)));

export function formatMarkdown(d: RenderedDiff): string {
  const out = [
    '### Rendered changes per environment',
    '',
    `Compared: ${baseLine(d).replace(/\b([0-9a-f]{12})\b/, '`$1`')}.`,
    '',
    '| environment | objects |',
    '|---|---|',
    ...d.environments.map((e) => `| ${e.env} | ${summary(e)} |`),
  ];
  let size = out.join('\n').length;
  let left = 0;
  for (const e of d.environments.filter(changeCount)) {
    for (const n of e.notices ?? []) out.push('', `> [!CAUTION]\n> **${e.env}**: ${n}`);
    out.push('', `<details><summary><b>${e.env}</b>: ${summary(e)}</summary>`, '');
    out.push(...objectLines(e).map(([mark, id]) => `- ${{ '+': 'added', '-': 'removed', '~': 'changed' }[mark]} \`${id}\``));
    for (const c of e.changed) {
      const f = fence(c.patch);
      const block = `\n${f}diff\n${c.patch.trimEnd()}\n${f}`;
      if (size + block.length > MARKDOWN_BUDGET) {
        left++;
        continue;
      }
      size += block.length;
      out.push(block);
    }
    out.push('', '</details>');
  }
  if (left) out.push('', `_${left} object diff(s) left out to stay under GitHub's comment size limit: run \`npm run diff\` locally._`);
  return `${out.join('\n')}\n`;
}

// ---- command ---------------------------------------------------------------------------------------

/** Warns when the generated files on disk are not what the sources render (a forgotten `generate`). */
