// No input can hurt a cluster: values that pass every syntax check but would break Tempo, Kubernetes or
// AWS, and files built to crash or stall the loader, are refused with `file:line:col: field: expected ...`
// and nothing is written. One sandbox serves every case (each edits prod's file and puts it back).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { re2Problem } from '../generators/components/re2';
import { MAX_FILE_BYTES } from '../generators/environment/yaml';
import { main as cost } from '../scripts/cost';
import { main } from '../scripts/generate';
import { sharedSandbox } from './helpers/refusal';
import { runMain } from './helpers/run';

const PROD = 'overlays/prod/environment.yaml';
const { box, generateAfter, generateWith } = sharedSandbox(main);

const AT = String.raw`overlays/prod/environment\.yaml:\d+:\d+: `;
const component = (name: string, yaml: string) => (y: string) => `${y}components:\n  ${name}:\n${yaml.replace(/^/gm, '    ')}\n`;
const mask = (regex: string) => component('collector', `scrubbing:\n  maskPatterns:\n    - { name: x, regex: '${regex}' }`);

/** [class, edit of prod's file, expected message]. */
const HARMFUL: Array<[string, (y: string) => string, RegExp]> = [
  ...['0s', '1ns', '10m', '1h', '1h49m'].map((r): [string, (y: string) => string, RegExp] => [
    `retention ${r}, which deletes blocks before they are queried`,
    (y) => `${y}retention: ${r}\n`,
    new RegExp(
      `${AT}retention: ${r} would let the compactor delete blocks .*; expected at least 1h50m \\(Tempo 2\\.10\\.8: ingester\\.max_block_duration 30m \\+ ingester\\.complete_block_timeout 15m \\+ storage\\.trace\\.blocklist_poll 5m \\+ compactor\\.compaction\\.compaction_window 1h\\)`,
    ),
  ]),
  [
    'a retention Go cannot represent',
    (y) => `${y.replace('s3:\n', 's3:\n  lifecycle: { expirationDays: 9000000000 }\n')}retention: 99999999999h\n`,
    new RegExp(`${AT}retention: .* longer than Go's longest duration`),
  ],
  [
    'a memory limit of one byte',
    component('querier', 'resources:\n  limits: { memory: "1" }'),
    new RegExp(
      `${AT}components\\.querier\\.resources\\.limits\\.memory: 1 is below 128Mi: each Tempo target holds 70-80 MiB at idle.*; expected at least 128Mi`,
    ),
  ],
  [
    'a zero memory request',
    component('ingester', 'resources:\n  requests: { memory: "0" }'),
    new RegExp(`${AT}components\\.ingester\\.resources\\.requests\\.memory: 0 is below 128Mi`),
  ],
  [
    'a zero CPU limit',
    component('distributor', 'resources:\n  limits: { cpu: "0" }'),
    new RegExp(`${AT}components\\.distributor\\.resources\\.limits\\.cpu: 0 is below 10m: a Go process`),
  ],
  [
    'a memory limit whose GOMEMLIMIT would be 0MiB',
    component('vulture', 'resources:\n  limits: { memory: 1Mi }'),
    new RegExp(`${AT}components\\.vulture\\.resources\\.limits\\.memory: 1Mi is below 64Mi: tempo-vulture`),
  ],
  [
    'a collector too small for its memory limiter',
    component('collector', 'resources:\n  limits: { memory: 64Mi }'),
    new RegExp(`${AT}components\\.collector\\.resources\\.limits\\.memory: 64Mi is below 128Mi: the collector's memory_limiter`),
  ],
  [
    'memcached below its item memory',
    component('memcached', 'resources:\n  requests: { memory: 10Mi }'),
    new RegExp(`${AT}components\\.memcached\\.resources\\.requests\\.memory: 10Mi is below 96Mi: memcached`),
  ],
  [
    'ephemeral storage its logs alone exceed',
    component('ingester', 'resources:\n  limits: { ephemeral-storage: 1Mi }'),
    new RegExp(`${AT}components\\.ingester\\.resources\\.limits\\.ephemeral-storage: 1Mi is below 64Mi: the kubelet keeps up to 50Mi`),
  ],
  [
    'a zero volume',
    component('ingester', 'storage: { size: "0" }'),
    new RegExp(`${AT}components\\.ingester\\.storage\\.size: 0 is below 1Gi: the smallest EBS volume is 1 GiB`),
  ],
  [
    'a memory limit whose GOMEMLIMIT (94371839999999070000MiB) overflows the int64 Go reads it into',
    component('querier', 'resources:\n  limits: { memory: 99999999999999Ti }'),
    new RegExp(
      `${AT}components\\.querier\\.resources\\.limits\\.memory: 99999999999999Ti is above 4Ti: a sane bound for one container.*; expected at most 4Ti`,
    ),
  ],
  [
    'a CPU request no node has',
    component('ingester', 'resources:\n  requests: { cpu: "100000" }'),
    new RegExp(`${AT}components\\.ingester\\.resources\\.requests\\.cpu: 100000 is above 256: .*; expected at most 256`),
  ],
  [
    'a volume larger than EBS makes',
    component('ingester', 'storage: { size: 100Ti }'),
    new RegExp(`${AT}components\\.ingester\\.storage\\.size: 100Ti is above 64Ti: the largest EBS volume is 64 TiB`),
  ],
  [
    'replicas beyond int32',
    component('querier', 'replicas: 2147483648'),
    new RegExp(
      `${AT}components\\.querier\\.replicas: expected a number <= 100 \\(Number of pods \\(at most 100; Kubernetes' own limit is 2147483647\\)\\), got number 2147483648`,
    ),
  ],
  [
    'replicas 1e20',
    component('distributor', 'replicas: 1e20'),
    new RegExp(`${AT}components\\.distributor\\.replicas: expected a number <= 100 .*got number 100000000000000000000`),
  ],
  [
    'replicas above the sane bound',
    component('query-frontend', 'replicas: 21'),
    new RegExp(`${AT}components\\.query-frontend\\.replicas: expected a number <= 20`),
  ],
  [
    'an autoscaler bound beyond int32',
    component('querier', 'autoscaling: { enabled: true, maxReplicas: 1e20 }'),
    new RegExp(`${AT}components\\.querier\\.autoscaling\\.maxReplicas: expected a number <= 100`),
  ],
  [
    'Kafka partitions beyond int32',
    (y) => `${y}kafka:\n  cluster: external\n  external: { address: "b-1.msk:9092", partitions: 4294967296 }\n`,
    new RegExp(`${AT}kafka\\.external\\.partitions: expected a number <= 2147483647 \\(.*Kafka counts partitions in an int32\\)`),
  ],
  [
    'an integer no number can hold exactly',
    (y) => `${y}limits:\n  defaults: { rateLimitBytes: 1e20 }\n`,
    new RegExp(`${AT}limits\\.defaults\\.rateLimitBytes: expected a number <= 9007199254740991`),
  ],
  [
    '.inf',
    (y) => `${y}components:\n  querier:\n    replicas: .inf\n`,
    new RegExp(`${AT}components\\.querier\\.replicas: expected integer, got number \\.inf \\(not a finite number\\)`),
  ],
  [
    'a mask pattern Go rejects: \\Z',
    mask('secret\\Z'),
    new RegExp(
      `${AT}components\\.collector\\.scrubbing\\.maskPatterns\\.0\\.regex: "secret\\\\Z" is not a valid regular expression \\(error parsing regexp: invalid escape sequence: \`\\\\Z\`\\)`,
    ),
  ],
  [
    'a mask pattern Go rejects: a{2000}',
    mask('a{2000}'),
    new RegExp(
      `${AT}.*maskPatterns\\.0\\.regex: "a\\{2000\\}" is not a valid regular expression \\(error parsing regexp: invalid repeat count: \`\\{2000\\}\`\\)`,
    ),
  ],
  ['a mask pattern Go rejects: lookbehind', mask('(?<=id=)\\d+'), new RegExp(`${AT}.*maskPatterns\\.0\\.regex: .* uses lookaround`)],
  ['a mask pattern Go rejects: \\C', mask('a\\Cb'), new RegExp(`${AT}.*maskPatterns\\.0\\.regex: .*invalid escape sequence: \`\\\\C\``)],
];

/** Files built to crash, stall or confuse the loader. */
const HOSTILE: Array<[string, (y: string) => string, RegExp]> = [
  [
    'an alias bomb',
    (y) =>
      `${y}x0: &a0 [1,1,1,1,1,1,1,1,1,1]\n${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]`).join('\n')}\n`,
    new RegExp(`${AT}YAML aliases expand to too many values \\(an alias bomb\\); expected aliases \\(\\*name\\) to expand to at most 100 values`),
  ],
  ['several documents', (y) => `${y}---\nretention: 72h\n`, new RegExp(`${AT}a second YAML document starts here; expected one document per environment file`)],
  [
    '20,000 levels of nesting',
    (y) => `${y}tempo: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    new RegExp(`${AT}nesting deeper than 64 levels; expected an environment file`),
  ],
  ['20,000 levels of block lists', (y) => `${y}tempo:\n  ${'- '.repeat(20_000)}x\n`, new RegExp(`${AT}nesting deeper than 64 levels`)],
  [
    'a duplicate nested key, named',
    component('querier', 'replicas: 2\nreplicas: 3'),
    new RegExp(`${AT}components\\.querier\\.replicas: duplicate key "replicas" \\(first at line \\d+\\)`),
  ],
  [
    "YAML 1.1's !!set (it became an empty mapping: silently ignored)",
    (y) => `${y}tempo: !!set { a, b }\n`,
    new RegExp(`${AT}tempo: the YAML tag !!set is not supported; expected a plain value \\(no tag\\)`),
  ],
  ['!!binary', (y) => `${y}retention: !!binary aGVsbG8=\n`, new RegExp(`${AT}retention: the YAML tag !!binary is not supported`)],
  ['a custom tag', component('querier', 'replicas: !custom 3'), new RegExp(`${AT}components\\.querier\\.replicas: the YAML tag !custom is not supported`)],
  ['a list as a key', (y) => `${y}? [a, b]\n: c\n`, new RegExp(`${AT}\\(top level\\): a key is a list; expected a name`)],
  ['a null key', (y) => `${y}~: 1\n`, new RegExp(`${AT}\\(top level\\): a key is null; expected a name`)],
  [
    'a key with a zero-width space, marked',
    (y) => y.replace('retention', 'retention').replace(/^s3:/m, 's3\u200b:'),
    new RegExp(`${AT}s3<U\\+200B>: unknown key \\(it contains an invisible character\\) \\(did you mean "s3"\\?\\)`),
  ],
  [
    'a value with a bidi override, marked',
    (y) => `${y}tempo:\n  tag: "2.10.8\u202e"\n`,
    /tempo\.tag: expected a pinned image tag .*got string "2\.10\.8<U\+202E>"/,
  ],
  [
    'schema problems and checks of what the file renders together (a zone of another region)',
    (y) => `${y.replace(/zones: \[[^\]]*\]/, 'zones: [us-east-1a, us-east-1b, eu-west-1c]')}alerts:\n  page: maybe\n`,
    new RegExp(`${AT}alerts\\.page: expected boolean[^]*${AT}cluster\\.zones\\.2: eu-west-1c is not a zone of aws\\.region us-east-1`),
  ],
  [
    'schema and cross-field problems together',
    (y) => `${y}alerts:\n  page: maybe\ncomponents:\n  querier:\n    resources:\n      requests: { memory: 8Gi }\n`,
    new RegExp(`${AT}alerts\\.page: expected boolean[^]*${AT}components\\.querier\\.resources\\.requests\\.memory: request 8Gi is above the limit 4Gi`),
  ],
];

describe('generate refuses values that would hurt the cluster, naming the field and why', () => {
  for (const [what, edit, message] of [...HARMFUL, ...HOSTILE]) {
    it(what, () => {
      const r = generateWith(edit);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('nothing was written');
    });
  }

  it('reports 10,000 problems of one file in under 2 s of CPU, printing 50 and how many more', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `  tg${i}: 1`).join('\n');
    const r = generateWith((y) => `${y}tempo:\n${keys}\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^generate: 10000 problem\(s\); nothing was written:/);
    expect(r.stderr).toMatch(new RegExp(`${AT}tempo\\.tg0: unknown key \\(did you mean "tag"\\?\\)`));
    expect(r.stderr.split('\n').filter((l) => l.includes('unknown key'))).toHaveLength(50);
    expect(r.stderr).toContain('... and 9950 more');
    expect(r.cpuMs).toBeLessThan(2000);
  });
});

describe('npm run cost refuses what generate refuses, instead of pricing it', () => {
  it('replicas beyond int32: the file, the field and the bound, no estimate', () => {
    const original = box().read(PROD);
    box().write(PROD, component('querier', 'replicas: 2147483648')(original));
    try {
      const r = runMain(cost, ['--env', 'prod'], box().dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${AT}components\\.querier\\.replicas: expected a number <= 100 .*got number 2147483648`));
      expect(r.stdout).not.toContain('$');
      expect(r.stdout).not.toContain('Monthly estimate');
    } finally {
      box().write(PROD, original);
    }
  });
});

/**
 * Mask patterns against the verdicts of Go's own regexp.Compile (go1.19.8, run once by hand: no Go in CI),
 * where re2js and C++ RE2 could differ from Go: Go accepts one name on several groups, rejects \C (C++ RE2
 * accepts it), and stops at repeat counts over 1000 and at 1000 levels of nesting.
 */
describe("mask patterns are judged by Go's regexp grammar", () => {
  const GO: Array<[string, boolean]> = [
    ['(?P<n>a)|(?P<n>b)', true],
    ['(?P<n>a)(?P<n>b)\\Z', false],
    ['(?P<n>a)|(?P<n>[b)', false],
    ['a{1000}', true],
    ['a{1001}', false],
    ['x{1000}{1000}', false],
    ['\\C', false],
    ['\\z', true],
    ['\\Q.*\\E', true],
    ['\\p{Greek}', true],
    ['\\p{Foo}', false],
    ['[[:alpha:]]', true],
    ['[[:foo:]]', false],
    ['(?U)a+', true],
    ['(?x) a b', false],
    ['\\K', false],
    ['\\e', false],
    [`${'('.repeat(1001)}${')'.repeat(1001)}`, false],
  ];
  for (const [regex, accepted] of GO) {
    it(`${regex.length > 30 ? `${regex.slice(0, 30)}…` : regex}: Go ${accepted ? 'accepts' : 'rejects'} it`, () => {
      expect(re2Problem(regex) === undefined).toBe(accepted);
    });
  }
});

describe('generate refuses files it must not read', () => {
  const replaced = (prepare: (file: string) => void) =>
    generateAfter(
      (b) => {
        unlinkSync(join(b.dir, PROD));
        prepare(join(b.dir, PROD));
      },
      (b) => {
        rmSync(join(b.dir, PROD), { recursive: true, force: true });
        b.write(PROD, original);
      },
    );
  let original = '';
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    [
      'a symlink to /dev/zero (stat first, never read)',
      (f) => symlinkSync('/dev/zero', f),
      /overlays\/prod\/environment\.yaml: is a character device \(a symlink to \/dev\/zero\); expected a regular file/,
    ],
    [
      'a named pipe (nothing would ever write it)',
      (f) => execFileSync('mkfifo', [f]),
      /overlays\/prod\/environment\.yaml: is a named pipe \(FIFO\); expected a regular file/,
    ],
    ['a directory', (f) => mkdirSync(f), /overlays\/prod\/environment\.yaml: is a directory; expected a regular file/],
    ['a dangling symlink', (f) => symlinkSync('/nonexistent/environment.yaml', f), /overlays\/prod\/environment\.yaml: does not exist/],
    [
      'a file over the size limit',
      (f) => writeFileSync(f, `# ${'x'.repeat(MAX_FILE_BYTES)}\n`),
      /overlays\/prod\/environment\.yaml: is \d+ bytes; expected at most 1048576 bytes \(1024 KiB\)/,
    ],
    [
      'a file that is not UTF-8',
      (f) => writeFileSync(f, Buffer.from([0x63, 0x3a, 0x20, 0xff, 0xfe, 0x0a])),
      /overlays\/prod\/environment\.yaml: is not UTF-8 text/,
    ],
  ];
  for (const [what, prepare, message] of cases) {
    it(what, () => {
      original = box().read(PROD);
      const r = replaced(prepare);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.ms).toBeLessThan(10_000);
    });
  }
});
