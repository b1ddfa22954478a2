// Where the e2e finds its programs. Tempo only through TEMPO_BIN or `tempo` on PATH (vulture beside it
// or TEMPO_VULTURE_BIN); memcached and Prometheus are Debian's; s3rver comes with `npm ci`.
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export interface Binaries {
  tempo: string;
  vulture: string;
  memcached: string;
  prometheus: string;
  /** tests/e2e/s3-server.cjs, which runs the npm package s3rver. */
  s3rver: string;
  /** Tempo 3.0.3 for environments on tempo.version 3.0, or why it cannot run (printed as the skip reason). */
  tempo3?: Tempo3Binaries | { missing: string };
}

/** TEMPO3_BIN's directory: tempo and tempo-vulture 3.0.3, the Kafka fake and the consumer-group seeder (../shared/tools/tempo-3.0.3). */
export interface Tempo3Binaries {
  tempo: string;
  vulture: string;
  kfake: string;
  seedGroups: string;
}

/** Tempo 3 needs Kafka: the loopback stack uses franz-go's kfake, which a GitHub runner does not have. */
export function findTempo3(): Tempo3Binaries | { missing: string } {
  const tempo = process.env.TEMPO3_BIN;
  if (!tempo)
    return {
      missing: 'TEMPO3_BIN is not set (tempo 3.0.3 with tempo-vulture, kfake-server and kafka-seed-groups beside it: ../shared/tools/tempo-3.0.3/install)',
    };
  const beside = (name: string) => join(dirname(tempo), name);
  const missing = [tempo, beside('tempo-vulture'), beside('kfake-server'), beside('kafka-seed-groups')].filter((f) => !existsSync(f));
  if (missing.length) return { missing: `TEMPO3_BIN=${tempo}: missing ${missing.join(', ')} (the Kafka fake comes only with ../shared/tools/tempo-3.0.3)` };
  return { tempo, vulture: beside('tempo-vulture'), kfake: beside('kfake-server'), seedGroups: beside('kafka-seed-groups') };
}

export const GET_TEMPO = [
  'Get Tempo 2.10.8 (linux amd64) from its GitHub release, check it, and point TEMPO_BIN at it:',
  '  curl -fLO https://github.com/grafana/tempo/releases/download/v2.10.8/tempo_2.10.8_linux_amd64.tar.gz',
  '  curl -fLO https://github.com/grafana/tempo/releases/download/v2.10.8/SHA256SUMS',
  '  sha256sum --ignore-missing -c SHA256SUMS && mkdir -p ~/.cache/tempo-2.10.8 && tar -xzf tempo_2.10.8_linux_amd64.tar.gz -C ~/.cache/tempo-2.10.8 tempo',
  '  export TEMPO_BIN=~/.cache/tempo-2.10.8/tempo',
  'The tarball has no tempo-vulture: build it from the tag beside tempo (Go 1.26):',
  '  git clone --depth 1 --branch v2.10.8 https://github.com/grafana/tempo && (cd tempo && go build -mod=vendor -o ~/.cache/tempo-2.10.8/tempo-vulture ./cmd/tempo-vulture)',
].join('\n');

/** The programs, or the reasons some are missing (each with what to do about it). */
export function findBinaries(root: string): { found?: Binaries; missing: string[] } {
  const missing: string[] = [];
  const tempo = process.env.TEMPO_BIN || onPath('tempo');
  if (!tempo || !existsSync(tempo))
    missing.push(
      `tempo: ${process.env.TEMPO_BIN ? `TEMPO_BIN=${process.env.TEMPO_BIN} does not exist` : 'TEMPO_BIN is not set and no tempo on PATH'}\n${GET_TEMPO}`,
    );
  const vultureBeside = tempo ? join(dirname(tempo), 'tempo-vulture') : undefined;
  const vulture = process.env.TEMPO_VULTURE_BIN || (vultureBeside && existsSync(vultureBeside) ? vultureBeside : onPath('tempo-vulture'));
  // The release tarball has tempo, tempo-cli and tempo-query only (v2.10.8 .goreleaser.yml): vulture is built from the tag.
  const buildVulture = tempo && existsSync(tempo) ? `\n${GET_TEMPO.split('\n').slice(-2).join('\n')}` : ' (see above)';
  if (!vulture) missing.push(`tempo-vulture: not beside tempo, TEMPO_VULTURE_BIN not set, none on PATH${buildVulture}`);
  const memcached = onPath('memcached');
  if (!memcached) missing.push('memcached: not on PATH (Debian: apt-get install memcached; .ci/run does it)');
  const prometheus = onPath('prometheus');
  if (!prometheus) missing.push('prometheus: not on PATH (Debian: apt-get install prometheus; .ci/run does it)');
  let s3rver: string | undefined;
  try {
    createRequire(join(root, 'package.json')).resolve('s3rver/package.json');
    s3rver = join(root, 'tests', 'e2e', 's3-server.cjs'); // s3rver with its listing fixed
  } catch {
    missing.push('s3rver: not installed (run npm ci)');
  }
  if (missing.length || !tempo || !vulture || !memcached || !prometheus || !s3rver) return { missing };
  return { found: { tempo, vulture, memcached, prometheus, s3rver, tempo3: findTempo3() }, missing };
}
