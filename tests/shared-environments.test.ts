// Two environments must not share a cluster or a bucket prefix, and a misnamed environment file is not
// silently ignored: each refusal names both files.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../scripts/generate';
import { sharedSandbox } from './helpers/refusal';

const PROD = 'overlays/prod/environment.yaml';
const { generateAfter } = sharedSandbox(main);

describe('generate refuses what two environments must not share, naming both files', () => {
  const QA = 'overlays/qa/environment.yaml';
  /** A new environment qa: prod's file with its own cluster and account, then `edit`. */
  const withQa = (edit: (yaml: string) => string, file = QA) =>
    generateAfter(
      (b) => {
        const own = b
          .read(PROD)
          .replace(/name: .*/, 'name: gaming-platform-qa')
          .replace(/accountId: .*/, 'accountId: "444444444444"');
        b.write(file, edit(own.replace(/server: .*/, 'server: https://qa.gr7.us-east-1.eks.amazonaws.com').replace('tempo-traces-prod', 'tempo-traces-qa')));
      },
      (b) => rmSync(join(b.dir, 'overlays/qa'), { recursive: true, force: true }),
    );
  const QA_AT = String.raw`overlays/qa/environment\.yaml:\d+:\d+: `;
  const cases: Array<[string, (y: string) => string, RegExp]> = [
    [
      "prod's bucket with the default prefix",
      (y) => y.replace('tempo-traces-qa', 'tempo-traces-prod'),
      new RegExp(
        `${QA_AT}s3\\.prefix: s3://tempo-traces-prod/traces is already the block store of prod \\(overlays/prod/environment\\.yaml\\); expected each environment's own: each stack's compactor would delete the other's blocks`,
      ),
    ],
    [
      "a prefix inside prod's (Tempo would read qa as a tenant of prod)",
      (y) => y.replace('  bucket: tempo-traces-qa', '  bucket: tempo-traces-prod\n  prefix: traces/qa'),
      new RegExp(
        `${QA_AT}s3\\.prefix: s3://tempo-traces-prod/traces/qa is already inside s3://tempo-traces-prod/traces, the block store of prod \\(overlays/prod/environment\\.yaml\\)`,
      ),
    ],
    [
      "prod's cluster name",
      (y) => y.replace('gaming-platform-qa', 'gaming-platform-prod'),
      new RegExp(`${QA_AT}cluster\\.name: gaming-platform-prod is already the cluster name of prod \\(overlays/prod/environment\\.yaml\\)`),
    ],
  ];
  for (const [what, edit, message] of cases) {
    it(what, () => {
      const r = withQa(edit);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('an environment.yml is not silently ignored', () => {
    const r = withQa((y) => y, 'overlays/qa/environment.yml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overlays\/qa\/environment\.yml: is not read; expected the environment in overlays\/qa\/environment\.yaml \(rename it\)/);
  });
});
