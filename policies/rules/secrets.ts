// No credential is ever committed: Secrets come from External Secrets (or IRSA needs none), and literals
// that look like credentials are caught wherever they hide (env, args, ConfigMaps).
// Known token formats (AWS, GitHub, Slack, private keys, basic auth in URLs, ...) are secretlint's
// recommended rules; a credential-named key or variable bound to a literal is this file's own check.
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { allContainers } from '../../generators/kubernetes/cluster';
import type { KubeObject } from '../../generators/kubernetes/objects';
import type { Rule, Violation } from '../types';

const CREDENTIAL_WORD = '(?:password|passwd|secret|token|credentials?|(?:api|access|secret|private|client)[_-]?key)';
/** `key: value`, `"key": "value"`, `key=value` or `--key=value` where key names a credential. */
const CREDENTIAL_ASSIGNMENT = new RegExp(
  String.raw`(?:^|[\s{,-])["']?((?:[A-Za-z0-9_.][A-Za-z0-9_.-]*)?${CREDENTIAL_WORD})["']?\s*[:=]\s*["']?([^\s"',}]*)`,
  'gim',
);

/** A value that is not itself a credential: empty, a reference ($VAR, ${VAR}, $(VAR), $__file{...}), a path, a URL, a flag. */
export function isReference(value: string): boolean {
  return value === '' || /^(\$|\/|https?:\/\/|true$|false$|null$|~$|[0-9.]+$)/i.test(value);
}

/** Credential-named keys bound to literals in a text (a config file, an env value, an argument). */
export function credentialAssignments(text: string): string[] {
  return [...text.matchAll(CREDENTIAL_ASSIGNMENT)].filter((m) => !isReference(m[2]!)).map((m) => m[1]!);
}

/** Known secret formats in a text, by secretlint's recommended preset (messages masked). */
export async function knownSecrets(text: string, name: string): Promise<string[]> {
  const ext = /\.[a-z]+$/i.exec(name)?.[0] ?? '';
  const result = await lintSource({
    source: { content: text, filePath: name, ext, contentType: 'text' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] }, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.map((m) => `${m.message} (secretlint ${m.ruleId.replace('@secretlint/secretlint-rule-', '')}, line ${m.loc.start.line})`);
}

/** Both checks over one text; `file` names it for secretlint (its extension picks the parser). */
async function scan(object: KubeObject, where: string, text: string, file: string): Promise<Violation[]> {
  const named = credentialAssignments(text).map((key) => ({
    object,
    message: `${where}: "${key}" is set to a literal; reference a Secret or an environment variable instead`,
  }));
  const known = (await knownSecrets(text, file)).map((m) => ({ object, message: `${where}: ${m}` }));
  return [...named, ...known];
}

export const secretRules: Rule[] = [
  {
    id: 'no-secret-literals',
    reason: 'Credentials never appear as literals in env vars, args or ConfigMaps: anyone who can read the repo or the object would have them',
    severity: 'error',
    check: async (cluster) => {
      const out: Violation[] = [];
      for (const pod of cluster.pods) {
        for (const c of allContainers(pod.spec)) {
          // NAME=value lines, so a credential-named variable with a literal value is caught like a config key.
          const literals = [...(c.env ?? []).flatMap((e) => (e.value ? [`${e.name}=${e.value}`] : [])), ...(c.command ?? []), ...(c.args ?? [])];
          if (literals.length) out.push(...(await scan(pod.owner, `container "${c.name}" env/args`, literals.join('\n'), `${c.name}.env`)));
        }
      }
      for (const cm of cluster.kind('ConfigMap')) {
        for (const [key, text] of Object.entries<string>(cm.data ?? {})) out.push(...(await scan(cm, `data "${key}"`, text, key)));
      }
      return out;
    },
  },
  {
    id: 'no-secret-data',
    reason: 'No Secret carries data in the tree: secrets come from External Secrets (or IRSA needs none)',
    severity: 'error',
    check: (cluster) =>
      cluster
        .kind('Secret')
        .filter((s) => Object.keys(s.data ?? {}).length + Object.keys(s.stringData ?? {}).length > 0)
        .map((s) => ({
          object: s,
          message: `holds ${[...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})].join(', ')}; sync it with an ExternalSecret instead`,
        })),
  },
];
