// Alerts of zone-aware ingesters (group tempo_zones, only where components.ingester.zoneAware): a zone with
// no ACTIVE ingester, ring members unbalanced across zones, a zone-by-zone rollout that stopped. On dskit's
// tempo_ring_zone_members{name, zone, state} (Tempo 2.10.8 vendors it; a ring client updates it only when
// zone_awareness_enabled, and keeps every zone it has seen) and kube-state-metrics' StatefulSet status.
// Each alert's promtool cases sit next to it. Types are written out (not imported from rules.ts or
// promtool-tests.ts, which import this module).
import { COMPONENTS } from '../components/index';
import { LEGACY_ZONE } from '../components/ingester';
import { zoneAware } from '../components/rollout-operator';
import type { Environment } from '../environment/index';
import { scrapeLabels } from '../servicemonitors';
import { objectName } from '../stack';
import type { AlertName } from './names';

interface Definition {
  name: AlertName;
  severity: 'critical' | 'warning';
  for: string;
  expr: string;
  summary: string;
  description: string;
}
interface Case {
  shows: string;
  series: Array<{ series: string; values: string }>;
  evalTime: string;
  expect: Array<{ labels: Record<string, string>; value?: number }>;
}

const nsOf = (env: Environment) => `namespace="${env.namespace}"`;
const where = '{{ $labels.cluster }}/{{ $labels.namespace }}';
const value = '{{ printf "%.0f" $value }}';
/** The zone StatefulSets' names (components/zones.ts: <ingester>-zone-<letter>). */
const ZONE_SETS = `statefulset=~"${objectName('ingester')}-zone-[a-z]"`;
/** The AZ zones only: while moving from the single StatefulSet its pods are ring zone LEGACY_ZONE, which spans every AZ. */
const members = (ns: string, state?: string) => `tempo_ring_zone_members{${ns}, name="ingester", zone!="${LEGACY_ZONE}"${state ? `, state="${state}"` : ''}}`;
/** Registered ingesters per zone: every distributor and querier reports the ring, so the max of them first. */
const perZone = (ns: string) => `sum by (cluster, namespace, zone) (max by (cluster, namespace, zone, state) (${members(ns)}))`;

export const zoneAwareIngesters = (env: Environment): boolean => zoneAware(env);

export function zoneAlerts(env: Environment): Definition[] {
  if (!zoneAwareIngesters(env)) return [];
  const zones = env.cluster.zones.length;
  const ns = nsOf(env);
  return [
    {
      name: 'TempoIngesterZoneDown',
      severity: 'critical',
      for: '5m',
      // Zones with an ACTIVE ingester, fewer than configured: a zone at 0, or one no reporter remembers.
      expr: [
        `count by (cluster, namespace) (max by (cluster, namespace, zone) (${members(ns, 'ACTIVE')}) > 0) < ${zones}`,
        'or',
        `max by (cluster, namespace) (${members(ns, 'ACTIVE')}) == 0`,
      ].join('\n'),
      summary: 'A zone of the Tempo ingester ring has no ACTIVE ingester.',
      description: `Only ${value} of the ${zones} zones of the ingester ring in ${where} have an ACTIVE ingester for 5 minutes. Every trace still has its copies in the other zones; one more zone lost and writes fail (a write needs a quorum of its copies).`,
    },
    {
      name: 'TempoIngesterZonesUnbalanced',
      severity: 'warning',
      for: '30m',
      expr: `max by (cluster, namespace) (${perZone(ns)})\n-\nmin by (cluster, namespace) (${perZone(ns)})\n> 0`,
      summary: 'The zones of the Tempo ingester ring have different numbers of ingesters.',
      description: `The zones of the ingester ring in ${where} differ by ${value} ingester(s) for 30 minutes. Each zone holds a copy of every trace, so the ingesters of the smaller zone carry more each: a zone StatefulSet scaled alone, or pods Pending in one zone.`,
    },
    {
      name: 'TempoIngesterRolloutStuck',
      severity: 'warning',
      for: '15m',
      // Pods not at their StatefulSet's update revision, and no zone updated a pod for an hour: a zone's
      // pods flush for up to 20 minutes when deleted, so an hour without progress is not a slow rollout.
      expr: [
        `sum by (cluster, namespace) (kube_statefulset_replicas{${ns}, ${ZONE_SETS}})`,
        '-',
        `sum by (cluster, namespace) (kube_statefulset_status_replicas_updated{${ns}, ${ZONE_SETS}})`,
        '> 0',
        'and',
        `sum by (cluster, namespace) (changes(kube_statefulset_status_replicas_updated{${ns}, ${ZONE_SETS}}[1h])) == 0`,
      ].join('\n'),
      summary: 'A zone-by-zone rollout of the Tempo ingesters has stopped.',
      // kube-state-metrics' series carry the namespace (a cluster label only where Prometheus adds one).
      description: `${value} zone-aware ingester pod(s) in namespace {{ $labels.namespace }} are not at their StatefulSet's latest revision, and no pod was updated for over an hour: the rollout-operator rolls a zone only while every other zone is Ready.`,
    },
  ];
}

/** Firing and quiet cases of each zone alert, on the series the ServiceMonitors and kube-state-metrics produce. */
export function zoneCases(env: Environment): Partial<Record<AlertName, { firing: Case; quiet: Case }>> {
  if (!zoneAwareIngesters(env)) return {};
  const zones = env.cluster.zones;
  const distributor = scrapeLabels(env, COMPONENTS.distributor, `${objectName('distributor')}-7d4b9c8f6-x2kqp`, '10.1.0.10');
  const at = { cluster: distributor.cluster!, namespace: distributor.namespace! };
  const labelsOf = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const series = (metric: string, l: Record<string, string>, values: string) => ({ series: `${metric}{${labelsOf(l).join(', ')}}`, values });
  /** The ring of one reporter: `active` ACTIVE and `unhealthy` Unhealthy ingesters per zone. */
  const ring = (active: (zone: string) => number, unhealthy: (zone: string) => number = () => 0, legacy = 0) =>
    [...zones, ...(legacy ? [LEGACY_ZONE] : [])].flatMap((zone) => [
      series('tempo_ring_zone_members', { ...distributor, name: 'ingester', zone, state: 'ACTIVE' }, `${zone === LEGACY_ZONE ? legacy : active(zone)}x40`),
      series('tempo_ring_zone_members', { ...distributor, name: 'ingester', zone, state: 'Unhealthy' }, `${zone === LEGACY_ZONE ? 0 : unhealthy(zone)}x40`),
    ]);
  const lost = zones.at(-1)!;
  const ksm = (statefulset: string) => ({ job: 'kube-state-metrics', instance: '10.2.0.5:8080', namespace: env.namespace, statefulset });
  const sets = zones.map((z) => `${objectName('ingester')}-zone-${z.slice(-1)}`);
  /** Each zone StatefulSet with one pod; `updated(i)` gives its updated pods over time. */
  const rollout = (updated: (i: number) => string) =>
    sets.flatMap((s, i) => [series('kube_statefulset_replicas', ksm(s), '1x150'), series('kube_statefulset_status_replicas_updated', ksm(s), updated(i))]);
  return {
    TempoIngesterZoneDown: {
      firing: {
        shows: `every ingester of ${lost} unhealthy for 10 minutes, the single StatefulSet's 3 in zone ${LEGACY_ZONE} beside them (the migration)`,
        series: ring(
          (z) => (z === lost ? 0 : 1),
          (z) => (z === lost ? 1 : 0),
          3,
        ),
        evalTime: '10m',
        expect: [{ labels: at, value: zones.length - 1 }],
      },
      quiet: { shows: 'an ACTIVE ingester in every zone', series: ring(() => 1), evalTime: '10m', expect: [] },
    },
    TempoIngesterZonesUnbalanced: {
      firing: {
        shows: `2 ingesters in ${zones[0]}, 1 in the others, for 40 minutes`,
        series: ring((z) => (z === zones[0] ? 2 : 1)),
        evalTime: '39m',
        expect: [{ labels: at, value: 1 }],
      },
      quiet: {
        shows: `one ingester per zone, one of them Unhealthy (a restart), and 3 in zone ${LEGACY_ZONE} (the migration)`,
        series: ring(
          (z) => (z === lost ? 0 : 1),
          (z) => (z === lost ? 1 : 0),
          3,
        ),
        evalTime: '39m',
        expect: [],
      },
    },
    TempoIngesterRolloutStuck: {
      firing: {
        shows: 'the first zone updated, then nothing for two hours',
        series: rollout((i) => (i === 0 ? '0x5 1x145' : '0x150')),
        evalTime: '150m',
        expect: [{ labels: { namespace: env.namespace }, value: sets.length - 1 }],
      },
      quiet: {
        shows: 'a zone updated every 40 minutes, the last one still to come',
        series: rollout((i) => `0x${5 + 40 * i} 1x${145 - 40 * i}`),
        evalTime: '80m',
        expect: [],
      },
    },
  };
}
