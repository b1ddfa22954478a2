// Every alert this repo defines, by group. Names are the contract with Alertmanager routes, silences and
// the runbook anchors in docs/runbooks.md: rename one only with all three.
export const ALERT_GROUPS = {
  tempo_writes: [
    'TempoHighIngestionLatency',
    'TempoReceiverRefusingSpans',
    'TempoDiscardingSpans',
    'TempoTenantNearLimit',
    'TempoProvisioningTooManyWrites',
    'TempoIngesterFlushFailures',
    'TempoIngesterFlushesUnhealthy',
    'TempoIngesterFlushesFailing',
    'TempoIngesterReplayErrors',
  ],
  tempo_reads: ['TempoHighQueryLatency', 'TempoRequestErrors', 'TempoLowCacheHitRate'],
  tempo_rings: ['TempoDistributorUnhealthy', 'TempoIngesterUnhealthy', 'TempoCompactorUnhealthy', 'TempoMetricsGeneratorUnhealthy', 'TempoBadOverrides'],
  tempo_backend: [
    'TempoCompactorBehind',
    'TempoCompactorsTooManyOutstandingBlocks',
    'TempoCompactionsFailing',
    'TempoPollsFailing',
    'TempoTenantIndexFailures',
    'TempoNoTenantIndexBuilders',
    'TempoTenantIndexTooOld',
    'TempoBlockListRisingQuickly',
  ],
  tempo_metrics_generator: ['TempoMetricsGeneratorRemoteWriteFailing', 'TempoMetricsGeneratorRemoteWriteBehind'],
  tempo_kubernetes: ['TempoComponentDown', 'TempoTargetDown', 'TempoPodCrashLooping', 'TempoContainerOOMKilled', 'TempoVolumeFillingUp'],
  // The ingestion edge: tempo-vulture's end-to-end checks and the collector agents.
  tempo_edge: ['TempoVultureHighErrorRate', 'TempoCollectorSpansDropped', 'TempoCollectorExportFailing', 'TempoCollectorRefusingSpans'],
  // Zone-aware ingesters (components.ingester.zoneAware): a zone lost, zones unbalanced, a zone-by-zone rollout stopped.
  tempo_zones: ['TempoIngesterZoneDown', 'TempoIngesterZonesUnbalanced', 'TempoIngesterRolloutStuck'],
  // Tempo 3's Kafka ingest (tempo.version 3.0): the live-store ring and partitions, consumer lag, backend jobs.
  tempo_ingest: [
    'TempoLiveStoreUnhealthy',
    'TempoPartitionsNotActive',
    'TempoLiveStorePartitionLag',
    'TempoBlockBuilderPartitionLag',
    'TempoMetricsGeneratorPartitionLag',
    'TempoBackendSchedulerJobsFailing',
    'TempoBackendSchedulerJobRetries',
    'TempoBackendWorkerBadJobs',
  ],
  // The tail-sampling gateway (sampling.tail.enabled): traces lost before a decision, slow decisions, full queues.
  tempo_sampling: ['TempoGatewayDroppingTraces', 'TempoGatewaySpansDropped', 'TempoGatewayDecisionsSlow'],
} as const;

import type { Severity } from '../environment/settings';

/** One alert as rules.ts writes it (rules-3.ts too). */
export interface AlertDefinition {
  name: AlertName;
  /** The rule's own severity; environment.yaml may replace it, and `page: false` turns critical into warning. */
  severity: Severity;
  for?: string;
  expr: string;
  summary: string;
  description: string;
}

export type AlertGroup = keyof typeof ALERT_GROUPS;
export type AlertName = (typeof ALERT_GROUPS)[AlertGroup][number];
export const ALERT_NAMES: readonly AlertName[] = Object.values(ALERT_GROUPS).flat();
