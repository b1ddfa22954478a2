// The e2e's ingester processes for zone-aware environments: the cap of six shared by the zone StatefulSets,
// and, in the migration's first step, several processes for the single StatefulSet beside the zones (one
// old process could never show two copies of a trace on the old pods).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planStack } from './plan';
import { environmentNames, readRendered, type Any } from './rendered';
import { ingesterZones } from './zones';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tempo-e2e-zones-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zoned = environmentNames(ROOT)
  .map((name) => readRendered(ROOT, name))
  .filter((env) => env.tempo?.ingester?.lifecycler?.ring?.zone_awareness_enabled === true);

describe('e2e ingester processes of a zone-aware environment', () => {
  it('there is one', () => expect(zoned.length).toBeGreaterThan(0));

  for (const env of zoned) {
    const zoneSets = env.objects.filter((o: Any) => o.kind === 'StatefulSet' && o.metadata.labels?.['rollout-group'] === 'ingester');
    const plan = (objects: Any[]) => {
      let port = 30_000;
      return planStack({ ...env, objects }, () => port++, join(dir, env.name));
    };

    it(`${env.name}: every zone StatefulSet has a process, as many as it has pods up to the cap`, () => {
      const ingesters = plan(env.objects).processes.filter((p) => p.component === 'ingester');
      for (const s of zoneSets) expect(ingesters.filter((p) => p.workload.name === s.metadata.name).length).toBe(Math.min(s.spec.replicas, 2));
    });

    it(`${env.name}: beside the single StatefulSet (legacyStatefulSet), the old pods get what the zones leave of the six, in a zone of their own`, () => {
      const legacy = structuredClone(zoneSets[0]);
      legacy.metadata.name = 'tempo-stack-ingester';
      legacy.spec.replicas = 3;
      delete legacy.metadata.labels['rollout-group'];
      legacy.spec.template.spec.containers[0].env = legacy.spec.template.spec.containers[0].env.map((e: Any) =>
        e.name === 'AVAILABILITY_ZONE' ? { ...e, value: 'legacy' } : e,
      );
      const ingesters = plan([...env.objects, legacy]).processes.filter((p) => p.component === 'ingester');
      const zoneCount = zoneSets.reduce((n: number, s: Any) => n + Math.min(s.spec.replicas, 1), 0);
      expect(ingesters.filter((p) => p.workload.name === legacy.metadata.name).length).toBe(Math.min(3, 6 - zoneCount));
      const zones = ingesterZones(env.tempo, ingesters)!;
      expect(zones.get('legacy')?.length).toBeGreaterThanOrEqual(2);
    });
  }
});
