// The cross-AZ line of `npm run cost` (generators/cost.ts): bytes that cross availability zones a day. The
// distributor writes every trace to replication-factor ingesters and once to a metrics-generator, each in
// another zone with probability (Z-1)/Z (zone-aware, with as many zones as copies: exactly RF-1 of the RF
// copies); the agents (or the tail-sampling gateway, which first receives every span from them, in any
// zone) reach a distributor, and Grafana a query-frontend, in their own zone where the rendered Service has
// trafficDistribution. A query's result comes from RF ingesters to a querier, then to
// a query-frontend. Tempo 3 (Kafka ingest): the distributor produces once to the partition's leader broker;
// Strimzi's brokers copy it to their followers (replicas-1 copies; MSK does not charge replication inside
// the cluster); four consumers fetch every byte from the leader (3.0.3's Kafka client sets no rack, so no
// fetch from a nearer follower): each live-store zone, the block-builder and the metrics-generator. A query's
// recent part comes from one live-store per partition. S3 through the VPC's gateway endpoint costs nothing
// between zones; memberlist gossip is left out (small).
import type { Environment } from './environment/index';
import { type KubeObject, isKind } from './kubernetes/objects';
import { LIVE_STORE_ZONES } from './components/live-store';
import { strimziTopicReplicas } from './kafka/facts';
import { objectName } from './stack';

export const CROSS_AZ_ASSUMPTIONS = [
  {
    key: 'crossAzGb',
    flag: 'cross-az-gb',
    value: 0.02,
    unit: '$/GB between zones',
    source: 'AWS data transfer between availability zones of one region: $0.01/GB out of one zone plus $0.01/GB into the other',
  },
  {
    key: 'wireRatio',
    flag: 'wire-ratio',
    value: 0.5,
    unit: 'wire GB per received GB',
    source:
      "assumption: snappy on Tempo's gRPC between distributors, ingesters and generators (grpc_compression default) and on Tempo 3's Kafka batches (franz-go's default codec), gzip from the agents; measure: container_network_transmit_bytes_total of the distributors over tempo_distributor_bytes_received_total",
  },
  {
    key: 'queryResultKb',
    flag: 'query-result-kb',
    value: 100,
    unit: 'KB per query',
    source: 'assumption: a trace by id returns the whole trace, a search a page of summaries',
  },
];

const round = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** `kept`: the share of what applications send that reaches Tempo (sampling). */
export function crossAz(env: Environment, a: Record<string, number>, rendered: KubeObject[], kept: number, daysPerMonth: number) {
  // Where the environment names no zones (its ingesters are not zone-aware), pods spread over three.
  const z = env.cluster.zones.length || 3;
  const away = (z - 1) / z;
  const inZone = (component: string) =>
    rendered.some((o) => isKind(o, 'Service') && o.metadata.name === objectName(component) && o.spec?.trafficDistribution !== undefined);
  const sent = a.ingestGbPerDay! * a.wireRatio!;
  const received = sent * kept;
  // With the tail-sampling gateway every span, before sampling, goes to the gateway pod its trace id hashes
  // to, in any zone; the gateway (instead of the agents) then sends what it keeps to a distributor.
  const tail = env.sampling.tail.enabled;
  const toGateway = tail ? sent * away : 0;
  const agents = inZone('distributor') ? 0 : away;
  const toGrafana = inZone('query-frontend') ? 0 : away;
  const copies = env.tempo.version === '3.0' ? kafkaCopies(env) : { ...ingesterCopies(env.tempo.replicationFactor), replicated: 0 };
  const writes = toGateway + received * (agents + (copies.written + copies.replicated) * away);
  const queries = ((a.queriesPerDay! * a.queryResultKb!) / 1e6) * (copies.read * away + away + toGrafana);
  const gbMonth = (writes + queries) * daysPerMonth;
  const zones = `${round(away * 100, 0)}% in another of ${z} zones${env.cluster.zones.length ? '' : ' (assumed)'}`;
  return {
    item: 'cross-AZ transfer',
    quantity: `${round(gbMonth)} GB (writes ${round(writes * daysPerMonth)}: ${copies.what}, ${zones}${agents ? '' : `, ${tail ? 'gateway' : 'agents'} in-zone`}${tail ? `, agents to the gateway ${round(toGateway * daysPerMonth)} (every span, before sampling)` : ''}; queries ${round(queries * daysPerMonth, 2)})`,
    dollars: gbMonth * a.crossAzGb!,
  };
}

/** 2.10: RF copies to the ingesters and one to a metrics-generator; a query reads RF ingesters. */
function ingesterCopies(rf: number) {
  return { written: rf + 1, read: rf, what: `${rf} ${rf === 1 ? 'copy' : 'copies'} + 1 to the generator` };
}

/** 3.0: one produce, the brokers' replication (Strimzi only), and one fetch per consumer; a query reads one live-store per partition. */
function kafkaCopies(env: Environment) {
  const replicated = env.kafka.cluster === 'strimzi' ? strimziTopicReplicas(env) - 1 : 0;
  const consumers = LIVE_STORE_ZONES.length + 2;
  const replication = env.kafka.cluster === 'strimzi' ? `${replicated} broker ${replicated === 1 ? 'copy' : 'copies'}` : 'MSK replication free';
  return {
    written: 1 + consumers,
    replicated,
    read: 1,
    what: `1 produce + ${replication} + ${consumers} fetches (${LIVE_STORE_ZONES.length} live-store zones, block-builder, generator)`,
  };
}
