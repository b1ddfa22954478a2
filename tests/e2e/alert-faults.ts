// Faults on the loopback stack, each making the alerts that should catch it go pending (the rules'
// `for` is capped in the test copy, see scrape-config.ts). The components come from the plan.
import type { Checks } from './checks';
import { expectThat } from './checks';
import { byComponent, type Plan, type PlannedProcess } from './plan';
import type { PromAlert } from './prometheus-api';
import { PrometheusApi } from './prometheus-api';
import { until } from './proc';
import type { Any, RenderedEnvironment } from './rendered';
import { seconds } from './scrape-config';
import type { Stack } from './stack';
import { SINGLE_TENANT } from './tenants';
import { ingesterZones } from './zones';

/**
 * The one loopback timing of the alert-fault run (--alert-faults), applied to the rendered config before the
 * stack is planned: its key, value and why. Every other run, and every other key, keeps the rendered value.
 */
export const ALERT_FAULT_TIMINGS: Array<{ key: string; value: string; why: string }> = [
  {
    key: 'ingester.lifecycler.ring.heartbeat_timeout',
    value: '1m',
    why: "a dead ingester turns Unhealthy in the ring after this (Tempo's 5m): TempoIngesterUnhealthy is proven in one minute instead of five; still three times the longest restart of the run's own crash check (≈ 20 s)",
  },
];

/** Applies ALERT_FAULT_TIMINGS to the rendered Tempo config; returns what it changed, for the run's notes. */
export function applyAlertFaultTimings(tempo: Any): string[] {
  return ALERT_FAULT_TIMINGS.map((t) => {
    const keys = t.key.split('.');
    let node = tempo;
    for (const k of keys.slice(0, -1)) node = node[k] ??= {};
    const rendered = node[keys.at(-1)!];
    node[keys.at(-1)!] = t.value;
    return `alert-fault run: ${t.key} ${rendered ?? "unset (Tempo's default)"} -> ${t.value} on loopback: ${t.why}`;
  });
}

export type WaitFor = (what: string, alerts: string[], match: (a: PromAlert) => boolean, timeoutMs: number) => Promise<string>;

export class AlertFaults {
  private readonly prom: PrometheusApi;

  constructor(
    private readonly env: RenderedEnvironment,
    private readonly plan: Plan,
    private readonly stack: Stack,
    private readonly checks: Checks,
    private readonly tenant: string | undefined,
    private readonly waitFor: WaitFor,
    private readonly pushOnce: () => Promise<boolean>,
  ) {
    this.prom = new PrometheusApi(`http://127.0.0.1:${plan.prometheusPort}`);
  }

  /** Rewrites every running Tempo process's runtime overrides file; Tempo reloads it within per_tenant_override_period. */
  private writeOverrides(overrides: Any): void {
    this.plan.env.overridesText = JSON.stringify(overrides);
    for (const p of this.plan.processes.filter((x) => x.role === 'tempo' && this.stack.procs.get(x.id)?.running)) this.stack.prepareTempo(p);
  }

  /**
   * One fault at a time, each waiting for its alerts: a tenant over its limit (lifted afterwards), the
   * metrics-generator's remote-write target down (it needs spans flowing to fall behind), then an ingester
   * killed (last: with replication factor 1 it stops every write; the ring's heartbeat timeout sets the wait).
   */
  async run(): Promise<void> {
    const tenant = this.tenant ?? SINGLE_TENANT;
    const job = (component: string, p?: PlannedProcess) => (a: PromAlert) =>
      a.labels.job === `${this.plan.namespace}/${component}` && (!p || !a.labels.pod || a.labels.pod === p.id);

    await this.checks.run(`fault: tenant ${tenant} over its limit -> TempoDiscardingSpans, TempoReceiverRefusingSpans, TempoTenantNearLimit`, async () => {
      // The tenant's own block: the defaults with a 1-byte rate and burst (a block replaces the defaults whole).
      const original = structuredClone(this.env.overrides ?? {});
      const limited = structuredClone(this.env.tempo.overrides?.defaults ?? {});
      limited.ingestion = { ...(limited.ingestion ?? {}), rate_limit_bytes: 1, burst_size_bytes: 1 };
      this.writeOverrides({ ...original, overrides: { ...(original.overrides ?? {}), [tenant]: limited } });
      try {
        const discarded = await this.waitFor(
          'discarded',
          ['TempoDiscardingSpans'],
          (a) => a.labels.tenant === tenant && a.labels.reason === 'rate_limited',
          120_000,
        );
        const refused = await this.waitFor('refused', ['TempoReceiverRefusingSpans'], () => true, 120_000);
        // What it sends (counted before the limit) against its own block's limit.
        const near = await this.waitFor(
          'near its limit',
          ['TempoTenantNearLimit'],
          (a) => a.labels.tenant === tenant && a.labels.limit === 'ingestion rate',
          120_000,
        );
        expectThat(
          (await this.prom.query(`tempo_limits_overrides{user="${tenant}"}`)).length,
          `tempo_limits_overrides has no series for ${tenant} once its limits are overridden`,
        );
        return `${discarded}; ${refused}; ${near}; tempo_limits_overrides{user="${tenant}"} exposed`;
      } finally {
        this.writeOverrides(original);
        await until(`pushes as ${tenant} still refused after its override was removed`, 60_000, () => this.pushOnce().then((ok) => ok || undefined), 2000);
      }
    });

    const generator = byComponent(this.plan, 'metrics-generator')[0];
    if (generator) {
      await this.checks.run('fault: remote-write target down -> TempoMetricsGeneratorRemoteWriteBehind', async () => {
        // Restarted with its remote-write URL on a port that drops every connection (the config is written at start).
        const prometheusPort = this.plan.prometheusPort;
        this.plan.prometheusPort = this.plan.blackholePort;
        try {
          await this.stack.restart(generator);
        } finally {
          this.plan.prometheusPort = prometheusPort;
        }
        return this.waitFor(
          'remote write',
          ['TempoMetricsGeneratorRemoteWriteBehind', 'TempoMetricsGeneratorRemoteWriteFailing'],
          (a) => a.labels.pod === generator.id,
          300_000,
        );
      });
    } else this.checks.skip('fault: remote-write target down', 'the environment runs no metrics-generator');

    const ingesters = byComponent(this.plan, 'ingester');
    const victim = ingesters.at(-1);
    if (!victim) {
      this.checks.skip(
        'fault: an ingester killed',
        'the environment runs no ingester (Tempo 3): its run kills a live-store instead (ObservabilityChecks.killed)',
      );
      return;
    }
    const heartbeat = seconds(String(this.env.tempo.ingester?.lifecycler?.ring?.heartbeat_timeout ?? '5m')) * 1000;
    await this.stack.proc(victim.id).kill9();
    await this.checks.run(`fault: ingester ${victim.id} killed -> TempoTargetDown or TempoComponentDown`, () =>
      this.waitFor('scrape', ['TempoTargetDown', 'TempoComponentDown'], job('ingester', victim), 90_000),
    );
    const ring = `fault: ingester ${victim.id} killed -> TempoIngesterUnhealthy (the ring's heartbeat timeout is ${heartbeat / 1000} s)`;
    // A ring recomputes tempo_ring_members only when its state changes (dskit ring.updateRingMetrics):
    // with no other ingester heartbeating, nothing changes and the dead one stays ACTIVE (seen on dev).
    if (ingesters.length < 2)
      this.checks.skip(ring, 'the only ingester is dead: no heartbeat changes the ring, so it never turns Unhealthy; TempoComponentDown is the alert');
    else await this.checks.run(ring, () => this.waitFor('ring', ['TempoIngesterUnhealthy'], () => true, heartbeat + 120_000));
    // Zone-aware, and the victim alone in its zone: that zone has no ACTIVE ingester left.
    const zone = [...(ingesterZones(this.env.tempo, ingesters) ?? [])].find(([, procs]) => procs.length === 1 && procs[0] === victim)?.[0];
    if (zone)
      await this.checks.run(`fault: zone ${zone} lost -> TempoIngesterZoneDown`, () => this.waitFor('zone', ['TempoIngesterZoneDown'], () => true, 120_000));
    else this.checks.skip('fault: a zone lost', 'the ingester ring is not zone-aware, or the killed ingester is not alone in its zone');
  }
}
