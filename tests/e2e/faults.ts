// Faults planted in a rendered environment (in memory, after reading it), to prove the e2e catches
// them: each names the check that must fail. `npm run e2e -- --env <env> --plant <fault>` passes only
// if the run fails at that check.
import { parse, stringify } from 'yaml';
import type { RenderedEnvironment } from './rendered';
import { workloads } from './topology';

export interface Fault {
  name: string;
  description: string;
  /** The check that must fail (a prefix of its name). */
  failsCheck: string;
  /** A dual run's Tempo 3 stack is where it is planted (scenario dual-run); else the environment's one stack. */
  inTempo3?: boolean;
  plant(env: RenderedEnvironment): void;
}

function tempoWorkload(env: RenderedEnvironment, target: string) {
  const o = env.objects.find(
    (x) => (x.kind === 'Deployment' || x.kind === 'StatefulSet') && (x.spec?.template?.spec?.containers?.[0]?.args ?? []).includes(`-target=${target}`),
  );
  if (!o) throw new Error(`no ${target} workload to plant a fault in`);
  return o;
}

export const FAULTS: Fault[] = [
  {
    name: 'tempo3-compaction-enabled',
    description: "a dual run's Tempo 3 stack without compaction_disabled in its overrides defaults: two compaction systems on one bucket",
    failsCheck: 'Tempo 3 backend-scheduler plans no compaction',
    inTempo3: true,
    plant(env) {
      const compaction = env.tempo.overrides?.defaults?.compaction;
      if (compaction?.compaction_disabled !== true) throw new Error('no compaction_disabled in overrides.defaults to remove (not a dual run?)');
      delete compaction.compaction_disabled;
    },
  },
  {
    name: 'ring-address',
    description: 'memberlist.join_members names a Service that does not exist (a typo in the gossip ring address)',
    failsCheck: 'ring',
    plant(env) {
      const members: string[] = env.tempo.memberlist?.join_members ?? [];
      if (!members.length) throw new Error('no memberlist.join_members to break');
      env.tempo.memberlist.join_members = members.map((m) => m.replace(/^((?:dns\+)?[a-z0-9-]+)/, '$1-typo'));
    },
  },
  {
    name: 'reader-prefix',
    description: 'the querier reads another S3 prefix than the ingesters write (-storage.trace.s3.prefix in its args)',
    failsCheck: 'querier restarted reads the flushed blocks',
    plant(env) {
      const prefix = env.tempo.storage?.trace?.s3?.prefix ?? '';
      tempoWorkload(env, 'querier').spec.template.spec.containers[0].args.push(`-storage.trace.s3.prefix=${prefix ? `${prefix}-` : ''}stale`);
      if (!workloads(env.objects).some((w) => w.args.some((a) => a.startsWith('-storage.trace.s3.prefix=')))) throw new Error('prefix fault not planted');
    },
  },
  {
    name: 'receiver-localhost',
    description: "the OTLP gRPC receiver binds localhost:4317 (Tempo's default): other pods cannot reach it",
    failsCheck: 'push otlp.grpc',
    plant(env) {
      const grpc = env.tempo.distributor?.receivers?.otlp?.protocols?.grpc;
      if (!grpc) throw new Error('no OTLP gRPC receiver to break');
      grpc.endpoint = 'localhost:4317';
    },
  },
  {
    name: 'tls-server-name',
    description: "the distributor checks the ingesters' certificate under the querier's name (ingester_client.grpc_client_config.tls_server_name)",
    failsCheck: 'push otlp.grpc',
    plant(env) {
      const client = env.tempo.ingester_client?.grpc_client_config;
      if (!client?.tls_server_name) throw new Error('the rendered config runs no TLS to the ingesters (plant it in an environment with tls.enabled)');
      client.tls_server_name = client.tls_server_name.replace('-ingester.', '-querier.');
    },
  },
  {
    name: 'tenant-single-limit-block',
    description:
      "a tenant's override block holds only the limit it sets, as the generator once rendered it (issue 15): Tempo 2.10.8 then gives that tenant 0 for every other limit, a burst of 0 bytes refuses every push (run it with --scenario single-limit-tenant)",
    failsCheck: 'push otlp.grpc as ',
    plant(env) {
      // Only the file Tempo reads changes; env.overrides stays what generate rendered, what the checks expect.
      const served = parse(env.overridesText) ?? {};
      const blocks = served.overrides ?? {};
      const tenant = Object.keys(blocks)
        .sort()
        .find((t) => t !== '*' && blocks[t]?.ingestion?.rate_limit_bytes !== undefined);
      if (!tenant) throw new Error('no tenant block with ingestion.rate_limit_bytes to cut down (run it with --scenario single-limit-tenant)');
      blocks[tenant] = { ingestion: { rate_limit_bytes: blocks[tenant].ingestion.rate_limit_bytes } };
      env.overridesText = stringify(served);
    },
  },
  {
    name: 'zone-unaware',
    description:
      'the ingester ring ignores the zones its ingesters announce (zone_awareness_enabled: false): with more ingesters than copies, two copies of a trace land in one zone (run it with --scenario zones-two-per-zone)',
    failsCheck: 'zones: each acknowledged trace has its copies in distinct zones',
    plant(env) {
      const ring = env.tempo.ingester?.lifecycler?.ring;
      if (ring?.zone_awareness_enabled !== true) throw new Error('the ingester ring is not zone-aware: nothing to break');
      ring.zone_awareness_enabled = false;
    },
  },
  {
    name: 'tenant-block-incomplete',
    description:
      "the overrides.yaml Tempo reads leaves the read limits out of a tenant's block (as a hand-written block would): Tempo gives that tenant zeros, not the rendered limits (run it with --scenario tenants)",
    failsCheck: 'every setting of each tenant as Tempo resolves it',
    plant(env) {
      // Only the file Tempo reads changes; env.overrides stays what generate rendered, what the checks expect.
      const served = parse(env.overridesText) ?? {};
      const tenant = Object.keys(served.overrides ?? {}).find((t) => t !== '*' && served.overrides[t].read);
      if (!tenant) throw new Error('no tenant block with read limits to break (run it with --scenario tenants)');
      delete served.overrides[tenant].read;
      env.overridesText = JSON.stringify(served);
    },
  },
  {
    name: 'sampling-multiplier',
    description:
      'span metrics scale by another attribute than the one the collector agents record (span_multiplier_key: sampling.rate): a span the agents kept at 25% counts once, not four times',
    failsCheck: 'sampling: span metrics count',
    plant(env) {
      const spanMetrics = env.tempo.metrics_generator?.processor?.span_metrics;
      if (!spanMetrics?.span_multiplier_key) throw new Error('the rendered span_metrics sets no span_multiplier_key to break');
      spanMetrics.span_multiplier_key = 'sampling.rate';
    },
  },
];

export function fault(name: string): Fault {
  const f = FAULTS.find((x) => x.name === name);
  if (!f) throw new Error(`no planted fault "${name}" (have: ${FAULTS.map((x) => x.name).join(', ')})`);
  return f;
}
