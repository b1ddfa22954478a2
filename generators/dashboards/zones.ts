// The Zones row of Tempo / Operational: zone-aware ingesters (components.ingester.zoneAware). How many ingesters
// each zone has in the ring and in which state, whether every zone has an ACTIVE one, and a zone-by-zone
// rollout's progress. Empty where the ingesters are not zone-aware: dskit sets tempo_ring_zone_members
// only for a zone-aware ring.
import { objectName } from '../stack';
import { type Cell, row, stat, timeseries } from './panels';
import { pods, stack } from './queries';

const members = (...matchers: string[]) => `tempo_ring_zone_members{${stack('name="ingester"', ...matchers)}}`;
const zoneSets = pods(`statefulset=~"${objectName('ingester')}-zone-.+"`);

export function zonesRow(): ReturnType<typeof row> {
  const cells: Cell[] = [
    stat(
      'Zones with an ACTIVE ingester',
      { expr: `count(max by (zone) (${members('state="ACTIVE"')}) > 0)` },
      {
        unit: 'suffix: zones',
        baseColor: 'red',
        thresholds: [[3, 'green']],
        description:
          'Zones of the ingester ring with at least one ACTIVE ingester, as the distributors and queriers see it. Below the number of zones: TempoIngesterZoneDown.',
      },
    ),
    timeseries('Ingesters per zone and state', [{ expr: `max by (zone, state) (${members()}) > 0`, legend: '{{zone}} {{state}}' }], {
      stack: true,
      w: 10,
      description: 'Ring members by zone: every zone holds one copy of every trace, so the zones should be equal (TempoIngesterZonesUnbalanced).',
    }),
    timeseries(
      'Zone rollout: pods at the latest revision',
      [
        {
          expr: `max by (statefulset) (kube_statefulset_status_replicas_updated{${zoneSets}}) / max by (statefulset) (kube_statefulset_replicas{${zoneSets}})`,
          legend: '{{statefulset}}',
        },
      ],
      {
        unit: 'percentunit',
        w: 10,
        description:
          'The rollout-operator rolls one zone at a time, and only while every other zone is Ready: zones reach 100% one after the other (TempoIngesterRolloutStuck).',
      },
    ),
  ];
  return row('Zones', ...cells);
}
