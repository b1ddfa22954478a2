// Tempo / Tempo 3 ingest: the 3.x write path, which has no ingesters or compactor. Distributors write
// each batch to a Kafka partition; live-stores (zones a/b) read every partition for recent-data queries,
// the block-builder cuts the same records into blocks in S3, the metrics-generator reads them too; the
// backend-scheduler hands compaction jobs to backend-workers. Every name is one Tempo 3.0.3 registers
// (tests/helpers/metrics/catalogue-3.ts); on a 2.10 stack this page is empty.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, stat, timeseries, variables } from './panels';
import { errorRate, job, orZero, quantile, stack, sumRate } from './queries';

/** The consumer groups that read the partitions, one per component (live-store zones, block-builder, metrics-generator). */
const consumers = stack('group!=""');

export const TEMPO3_INGEST_UID = 'tempo-ingest-3';

export function tempo3Ingest(): Dashboard {
  return dashboard({
    uid: TEMPO3_INGEST_UID,
    title: 'Tempo / Tempo 3 ingest',
    description: 'Tempo 3.x: distributor → Kafka → live-stores, block-builder and metrics-generator; compaction by backend-scheduler and workers.',
    tags: ['tempo'],
    variables: [variables.datasource(), variables.cluster(), variables.namespace()],
    rows: [
      row(
        'Distributor → Kafka',
        timeseries(
          'Written to Kafka',
          [
            { expr: sumRate('tempo_distributor_kafka_write_bytes_total', job('distributor'), 'partition'), legend: 'bytes/s to partition {{partition}}' },
            { expr: sumRate('tempo_distributor_produce_records_total', job('distributor')), legend: 'records/s' },
          ],
          { w: 8, description: 'What the distributors produce: follows the spans received. Flat at zero while spans arrive means writes are failing.' },
        ),
        timeseries(
          'Kafka write latency',
          [0.5, 0.99].map((q) => ({ expr: quantile(q, 'tempo_distributor_kafka_write_latency_seconds', job('distributor')), legend: `p${q * 100}` })),
          { unit: 's', w: 8, description: 'A push is answered once Kafka acknowledges the records: healthy is tens of milliseconds at p99.' },
        ),
        timeseries(
          'Produce failures',
          [{ expr: orZero(sumRate('tempo_distributor_produce_failures_total', job('distributor'), 'reason')), legend: '{{reason}}' }],
          {
            unit: 'cps',
            w: 8,
            thresholds: [[0.001, 'red']],
            description: 'Records Kafka refused or timed out: healthy is 0; every failure is a push refused to the client.',
          },
        ),
      ),
      row(
        'Partitions',
        timeseries(
          'Partition ring by state',
          [{ expr: `max by (state) (tempo_partition_ring_partitions{${job('distributor', 'name="livestore-partitions"')}})`, legend: '{{state}}' }],
          {
            stack: true,
            w: 12,
            description:
              'Partitions as the distributors see the ring. Healthy: all Active; Pending while a new live-store starts, Inactive while one is scaled down (state as dskit names it).',
          },
        ),
        timeseries('Consumer lag', [{ expr: `max by (group) (tempo_ingest_group_partition_lag_seconds{${consumers}})`, legend: '{{group}}' }], {
          unit: 's',
          w: 12,
          thresholds: [[60, 'orange']],
          description:
            'How far each consumer group (live-store, block-builder, metrics-generator) is behind the newest record, worst partition. Healthy: seconds; the block-builder saws up to its consume cycle.',
        }),
      ),
      row(
        'Live-stores',
        stat(
          'Live-stores ready',
          { expr: `sum(tempo_live_store_ready{${job('live-store')}})` },
          {
            unit: 'suffix: pods',
            w: 4,
            h: 8,
            baseColor: 'red',
            thresholds: [[1, 'green']],
            description: 'Live-stores caught up and serving queries: healthy is every pod of both zones.',
          },
        ),
        timeseries(
          'Records processed and dropped',
          [
            { expr: sumRate('tempo_live_store_records_processed_total', job('live-store'), 'tenant'), legend: '{{tenant}} processed' },
            {
              expr: errorRate('tempo_live_store_records_dropped_total', job('live-store')),
              legend: 'dropped',
            },
          ],
          { unit: 'cps', w: 7, description: 'Records read from Kafka, per tenant, summed over both zones. Healthy: dropped stays 0.' },
        ),
        timeseries('Live traces', [{ expr: `sum by (pod, tenant) (tempo_live_store_live_traces{${job('live-store')}})`, legend: '{{pod}} {{tenant}}' }], {
          w: 7,
          description: 'Traces held in memory per live-store and tenant; each zone holds every trace. Capped by max_local_traces_per_user.',
        }),
        timeseries('Catch-up at start', [{ expr: `max by (pod) (tempo_live_store_catch_up_duration_seconds{${job('live-store')}})`, legend: '{{pod}}' }], {
          unit: 's',
          w: 6,
          description: 'Time each live-store spent replaying Kafka before it became ready: healthy is seconds to a few minutes.',
        }),
      ),
      row(
        'Block-builder',
        timeseries(
          'Records fetched',
          [
            { expr: sumRate('tempo_block_builder_fetch_records_total', job('block-builder'), 'partition'), legend: 'partition {{partition}}' },
            { expr: errorRate('tempo_block_builder_fetch_errors_total', job('block-builder')), legend: 'fetch errors' },
          ],
          { unit: 'cps', w: 8, description: 'Read in bursts, once per consume cycle. Healthy: fetch errors 0.' },
        ),
        timeseries('Blocks flushed', [{ expr: sumRate('tempo_block_builder_flushed_blocks', job('block-builder'), 'tenant'), legend: '{{tenant}}' }], {
          unit: 'ops',
          w: 8,
          description: 'Blocks written to S3 per tenant: one or more every consume cycle while traces arrive.',
        }),
        timeseries('Owned partitions', [{ expr: `sum by (state) (tempo_block_builder_owned_partitions{${job('block-builder')}})`, legend: '{{state}}' }], {
          w: 8,
          description: 'Partitions the block-builders consume: healthy is every partition of the ring, each owned once.',
        }),
      ),
      row(
        'Backend scheduler and workers',
        timeseries(
          'Jobs',
          [
            { expr: sumRate('tempo_backend_scheduler_jobs_created_total', job('backend-scheduler'), 'job_type'), legend: '{{job_type}} created' },
            { expr: sumRate('tempo_backend_scheduler_jobs_completed_total', job('backend-scheduler'), 'job_type'), legend: '{{job_type}} completed' },
            { expr: errorRate('tempo_backend_scheduler_jobs_failed_total', job('backend-scheduler')), legend: 'failed' },
            { expr: errorRate('tempo_backend_scheduler_jobs_retry_total', job('backend-scheduler')), legend: 'retried' },
          ],
          { unit: 'ops', w: 8, description: 'Compaction and retention jobs. Healthy: completed keeps pace with created, failed and retried stay 0.' },
        ),
        timeseries(
          'Outstanding work',
          [
            { expr: `sum by (job_type) (tempo_backend_scheduler_jobs_active{${job('backend-scheduler')}})`, legend: '{{job_type}} in flight' },
            { expr: sumRate('tempo_backend_worker_jobs_total', job('backend-worker')), legend: 'worker jobs/s' },
          ],
          { w: 8, description: 'Jobs handed to workers and not yet done, and how fast the workers take them. Healthy: a few in flight, never growing.' },
        ),
        timeseries('Blocklist length', [{ expr: `max by (tenant) (tempodb_blocklist_length{${stack()}})`, legend: '{{tenant}}' }], {
          unit: 'suffix: blocks',
          w: 8,
          description: 'Blocks per tenant in the polled blocklist: healthy is flat or falling once compaction keeps up.',
        }),
      ),
    ],
  });
}
