// Environments that do not exist in the repository but must work when someone writes them: each is
// rendered in a throw-away copy of the tree (the repo's own `generate`), then run like any other.
// `npm run e2e -- --scenario <name>` (the copy is removed afterwards; --keep is for the run's directory).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Any } from './rendered';

export interface Scenario {
  name: string;
  description: string;
  /** The environment it edits, in the copy (a second environment could not share its cluster and bucket). */
  env: string;
  /** Why the scenario leaves out the observability checks: they are not its point, and run elsewhere. */
  skipObservability?: string;
  edit(environment: Any): void;
}

const OBSERVED_ELSEWHERE = "the scrape, dashboards, rules and alerts are checked in every Tempo 2.10 environment's run and in the multitenancy scenario";

export const SCENARIOS: Scenario[] = [
  {
    name: 'multitenancy',
    description: 'staging with multitenancy on (no per-tenant limits)',
    env: 'staging',
    edit(e) {
      e.features = { ...(e.features ?? {}), multitenancy: true };
    },
  },
  {
    name: 'zones-two-per-zone',
    description: 'staging with six zone-aware ingesters, two per zone: a zone lost is two ingesters at once, and each trace has three copies among six',
    env: 'staging',
    skipObservability: `its point is the zone loss with two ingesters per zone; ${OBSERVED_ELSEWHERE}`,
    edit(e) {
      e.components = { ...(e.components ?? {}), ingester: { ...(e.components?.ingester ?? {}), replicas: 6 } };
    },
  },
  {
    name: 'zones-migration',
    description:
      "prod in the first step of the move from the single StatefulSet (legacyStatefulSet): its pods beside the three zones, in a ring zone of their own, each trace's copies in distinct zones, at most one on the old pods",
    env: 'prod',
    skipObservability: `its point is where the copies land beside the old StatefulSet; ${OBSERVED_ELSEWHERE}`,
    edit(e) {
      e.components = { ...(e.components ?? {}), ingester: { ...(e.components?.ingester ?? {}), legacyStatefulSet: true } };
    },
  },
  {
    name: 'single-limit-tenant',
    description: 'staging with multitenancy on and one tenant, acme, that sets a single limit (rateLimitBytes)',
    env: 'staging',
    skipObservability: `its point is the limits a tenant inherits; ${OBSERVED_ELSEWHERE}`,
    edit(e) {
      e.features = { ...(e.features ?? {}), multitenancy: true };
      e.limits = { ...(e.limits ?? {}), tenants: { acme: { rateLimitBytes: 2000000 } } };
    },
  },
  {
    name: 'tenants',
    description:
      'staging with multitenancy on: acme sets one limit, archive its own retention (720h; the lifecycle follows), dedicated columns and span-metrics dimension, lean its own processors (service graph only) and query limits, "*" a limit for every other tenant',
    env: 'staging',
    skipObservability: `its point is what each tenant gets (limits, retention, columns, processors); ${OBSERVED_ELSEWHERE}`,
    edit(e) {
      e.features = { ...(e.features ?? {}), multitenancy: true };
      // Left out, the bucket lifecycle follows the longest retention (31 days for archive's 720h).
      delete e.s3?.lifecycle?.expirationDays;
      e.limits = {
        ...(e.limits ?? {}),
        tenants: {
          acme: { rateLimitBytes: 2000000 },
          archive: {
            retention: '720h',
            dedicatedColumns: [
              { name: 'game.id', scope: 'span', type: 'string' },
              { name: 'e2e.region', scope: 'resource', type: 'string' },
            ],
            spanMetricsDimensions: ['e2e.protocol'],
          },
          lean: { processors: ['service-graphs'], maxSearchDuration: '2h', maxBytesPerTagValuesQuery: 2000000 },
          '*': { maxTracesPerUser: 20000 },
        },
      };
    },
  },
  {
    name: 'tempo3-tenants',
    description:
      'dev (Tempo 3.0, TLS) with multitenancy on: acme sets one limit and inherits the processors, lean its own (service graph only), "*" a limit for every other tenant',
    env: 'dev',
    edit(e) {
      e.features = { ...(e.features ?? {}), multitenancy: true };
      e.limits = {
        ...(e.limits ?? {}),
        tenants: { acme: { rateLimitBytes: 2000000 }, lean: { processors: ['service-graphs'] }, '*': { maxTracesPerUser: 20000 } },
      };
    },
  },
  {
    name: 'dual-run',
    description:
      'staging migrating to Tempo 3 (migration.tempo3, stage dual-run), sized for the loopback: one ingester (no zones), no TLS, no memcached; 2.10.8 and 3.0.3 with the Kafka fake on one bucket',
    env: 'staging',
    skipObservability: `its point is that both stacks receive and return the same traces; ${OBSERVED_ELSEWHERE}`,
    edit(e) {
      // Two stacks on two cores: the smallest of each (zones and TLS are proven in staging's own run).
      e.tls = { enabled: false };
      e.tempo = { ...(e.tempo ?? {}), replicationFactor: 1 };
      e.features = { ...(e.features ?? {}), memcached: false };
      const c = e.components ?? {};
      e.components = {
        ...c,
        distributor: { ...(c.distributor ?? {}), replicas: 1 },
        ingester: { ...(c.ingester ?? {}), replicas: 1, zoneAware: false },
        querier: { ...(c.querier ?? {}), autoscaling: { enabled: false } },
      };
      e.migration = {
        tempo3: { stage: 'dual-run', kafka: { strimzi: { nodes: 1 } }, components: { 'live-store': { replicas: 1 }, 'block-builder': { replicas: 1 } } },
      };
    },
  },
];

/** The tracked and untracked (not ignored) files of the tree, or everything but node_modules and .git. */
function treeFiles(root: string): string[] {
  const git = spawnSync('git', ['-C', root, 'ls-files', '-co', '--exclude-standard', '-z'], { encoding: 'utf8' });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f && existsSync(join(root, f)));
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(root.length + 1))
    .filter((f) => !/^(node_modules|\.git)(\/|$)/.test(f));
}

/** A copy of the tree whose node_modules links to the real one's packages (its bundle cache stays its own). */
export function copyTree(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tempo-gitops-scenario-'));
  for (const f of treeFiles(root)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  const modules = join(root, 'node_modules');
  if (existsSync(modules)) {
    mkdirSync(join(dir, 'node_modules'));
    for (const entry of readdirSync(modules)) if (entry !== '.cache') symlinkSync(join(modules, entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

/** Renders the scenario's environment in a copy of the tree, runs `body` on it, removes the copy. */
export async function withScenario(name: string, root: string, body: (dir: string, env: string, scenario: Scenario) => Promise<number>): Promise<number> {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) {
    console.error(`e2e: no scenario "${name}" (have: ${SCENARIOS.map((x) => x.name).join(', ')})`);
    return 2;
  }
  const dir = copyTree(root);
  try {
    const file = join(dir, 'overlays', s.env, 'environment.yaml');
    const environment = parseDocument(readFileSync(file, 'utf8')).toJS();
    s.edit(environment);
    writeFileSync(file, `# e2e scenario ${s.name}: ${s.description}\n${parseDocument(JSON.stringify(environment)).toString()}`);
    const generate = spawnSync(process.execPath, [join(dir, 'scripts', 'run.mjs'), 'generate'], { cwd: dir, encoding: 'utf8' });
    if (generate.status !== 0) {
      console.error(`e2e: scenario ${s.name}: generate failed:\n${generate.stdout}${generate.stderr}`);
      return 1;
    }
    console.log(`e2e: scenario ${s.name}: ${s.description}; overlays/${s.env} edited and rendered in a copy of the tree`);
    return await body(dir, s.env, s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
