// The dashboards and alerts against the loopback stack, scraped by a real Prometheus exactly as the
// rendered ServiceMonitors describe (scrape-config.ts), with the metrics-generator's remote write and
// the environment's PrometheusRule loaded. With traffic flowing: every target carries the labels the
// rules select on; every catalogued Tempo metric is exposed as the catalogue says, in both text
// formats; every dashboard query returns series (declared exceptions aside); every rule evaluates and
// reads metrics that exist; nothing is pending or firing. Then faults, each making its alerts pending.
// The components come from the rendered environment (the plan), never from a list of 2.10 targets.
import { type Checks, expectThat } from './checks';
import type { TempoLine } from '../helpers/metrics/loopback';
import { checkExposition } from './exposition';
import { isTempo3 } from './kafka-fake';
import { checkDashboard, renderedDashboards, rulesMissingMetrics } from './dashboard-queries';
import { byComponent, receiverEndpoints, urlOf, type Plan, type PlannedProcess } from './plan';
import { schemeOf } from './tls';
import { PrometheusApi, describeAlert, type PromAlert } from './prometheus-api';
import { sleep, until } from './proc';
import type { Any, RenderedEnvironment } from './rendered';
import { ACCEPTED_BY_DEFAULT, SCRAPE_INTERVAL_MS, scrapeTargets, testRuleGroups } from './scrape-config';
import type { Stack } from './stack';
import { search } from './tempo-api';
import { configuredTenants, multitenancy } from './tenants';
import { pushTrafficTrace } from './traffic';
import { AlertFaults } from './alert-faults';

/** Long enough for every `[5m]` window of the rules to forget the harness's own crash and restarts. */
const SETTLE_MS = 6 * 60_000;

/** How long tempo-vulture may still need for its first check when the exposition is checked (its counters). */
const VULTURE_FIRST_CHECK_MS = 45_000;

export class ObservabilityChecks {
  private readonly prom: PrometheusApi;
  private readonly tenant: string | undefined;
  /** The Tempo line the stack runs: on 3.x the 2.10-only metrics and components are excused, 3.x's own required. */
  private readonly tempo: TempoLine;
  private traffic?: Promise<void>;
  private trafficUrl = '';
  private stopping = false;

  constructor(
    private readonly env: RenderedEnvironment,
    private readonly plan: Plan,
    private readonly stack: Stack,
    private readonly checks: Checks,
    private readonly frontend: string,
  ) {
    this.prom = new PrometheusApi(`http://127.0.0.1:${plan.prometheusPort}`);
    this.tenant = multitenancy(env) ? configuredTenants(env)[0] : undefined;
    this.tempo = isTempo3(env) ? '3.0' : '2.10';
  }

  /** The scrape targets and every dashboard query (retried until the series arrive), with the traffic flowing. */
  async healthy(): Promise<void> {
    const { checks } = this;
    await checks.run('scrape: every process a target, labelled as the ServiceMonitors label it', () => this.checkTargets());
    await checks.run('dashboards: every panel query returns series', () => this.checkDashboards());
  }

  /**
   * Once everything has run once (vulture's per-trace counters exist after its first check, the compactor's
   * after its first compaction): every catalogued metric as exposed, every rule reads metrics that exist,
   * and nothing is pending or firing.
   */
  async settled(): Promise<void> {
    // On Tempo 3 this runs before vulture's minute ends, and vulture's first check waits for its long
    // writes (~60 s from its start): its per-trace counters may not exist yet. Bounded; a real mismatch
    // still fails with its details as the last error.
    await this.checks.run('scrape: every catalogued metric as exposed, per format', () =>
      until('every catalogued metric as exposed', VULTURE_FIRST_CHECK_MS, () => checkExposition(this.env, this.plan, this.tempo), 5000),
    );
    await this.checks.run('rules: every rule evaluates and reads metrics that exist', () => this.checkRules());
    await this.checks.run('alerts: nothing pending or firing on the healthy stack', () => this.checkQuiet());
  }

  /** Faults one at a time, each making its alerts pending (alert-faults.ts). */
  async alertFaults(): Promise<void> {
    await new AlertFaults(
      this.env,
      this.plan,
      this.stack,
      this.checks,
      this.tenant,
      (what, alerts, match, ms) => this.waitFor(what, alerts, match, ms),
      () => this.pushOnce(),
    ).run();
  }

  /** A killed process makes its scrape alert pending (on 3.x: a live-store; 2.10's ingester is alert-faults.ts's). */
  async killed(victim: PlannedProcess): Promise<void> {
    const job = `${this.plan.namespace}/${victim.component}`;
    await this.checks.run(`fault: ${victim.component} ${victim.id} killed -> TempoTargetDown or TempoComponentDown`, () =>
      this.waitFor('scrape', ['TempoTargetDown', 'TempoComponentDown'], (a) => a.labels.job === job && (!a.labels.pod || a.labels.pod === victim.id), 90_000),
    );
  }

  async stopTraffic(): Promise<void> {
    this.stopping = true;
    await this.traffic;
  }

  /** Traces of three services (errors, slow server spans, client/server pairs) every 2 s until stopTraffic(). */
  startTraffic(): void {
    const distributor = byComponent(this.plan, 'distributor')[0]!;
    const http = receiverEndpoints(this.env.tempo).find((r) => r.key === 'otlp.http');
    expectThat(http, 'the distributor has no OTLP HTTP receiver to send the traffic to');
    const url = `${urlOf(distributor, http.port, schemeOf(this.plan))}/v1/traces`;
    this.trafficUrl = url;
    this.traffic = (async () => {
      for (let i = 0; !this.stopping && i < 3600; i++) {
        await pushTrafficTrace(url, this.tenant, i).catch(() => undefined); // refused while a tenant is over its limit
        await sleep(2000);
      }
    })();
  }

  private async checkTargets(): Promise<string> {
    const wanted = scrapeTargets(this.plan);
    const cluster = this.env.environment.cluster?.name;
    const endpoints = new Set(
      this.env.objects
        .filter((o) => o.kind === 'ServiceMonitor')
        .flatMap((m) => m.spec.endpoints.map((e: Any) => JSON.stringify(e.scrapeProtocols ?? m.spec.scrapeProtocols))),
    );
    expectThat(
      [...endpoints].every((p) => p === JSON.stringify(ACCEPTED_BY_DEFAULT)),
      `ServiceMonitors pin scrapeProtocols ${[...endpoints].join(' / ')}; this Prometheus asks for ${ACCEPTED_BY_DEFAULT.join(', ')} first`,
    );
    let targets = await this.prom.targets();
    await until(
      'every target scraped once',
      60_000,
      async () => {
        targets = await this.prom.targets();
        return targets.length === wanted.length && targets.every((t) => t.health === 'up') ? true : undefined;
      },
      1000,
    ).catch(() => undefined);
    for (const w of wanted) {
      const t = targets.find((x) => x.scrapeUrl.includes(`//${w.address}/`));
      expectThat(t, `${w.process.id} (${w.monitor}) is not a target`);
      expectThat(t.health === 'up', `${w.process.id}: scrape ${t.health}: ${t.lastError}`);
      const want = {
        job: `${this.plan.namespace}/${w.process.workload.podLabels['app.kubernetes.io/component'] ?? w.process.component}`,
        cluster,
        namespace: this.plan.namespace,
        pod: w.process.id,
        container: w.container,
      };
      for (const [k, v] of Object.entries(want)) expectThat(t.labels[k] === v, `${w.process.id}: label ${k}="${t.labels[k]}", want "${v}"`);
    }
    const components = [...new Set(wanted.map((w) => w.process.component))];
    return `${wanted.length} targets up (${components.join(', ')}), job/cluster/namespace/pod/container as the relabelings make them`;
  }

  private async checkDashboards(): Promise<string> {
    const dashboards = renderedDashboards(this.env.objects);
    expectThat(dashboards.length > 0, 'the environment renders no dashboard');
    const end = () => Math.ceil(Date.now() / 1000);
    const traceql = async (q: string) => (await search(this.frontend, { q, start: String(end() - 3600), end: String(end()), limit: '20' }, this.tenant)).length;
    let queries = 0;
    let withSeries = 0;
    const excused = new Map<string, string[]>();
    const problems: string[] = [];
    // Series arrive over a few scrapes and collections: retry what is missing, bounded.
    for (const d of dashboards) {
      const rendered = new Set(this.plan.processes.map((p) => p.component));
      let r = await checkDashboard(d, this.prom, traceql, this.tempo, rendered);
      for (let i = 0; r.problems.length && i < 12; i++) {
        await sleep(5000);
        r = await checkDashboard(d, this.prom, traceql, this.tempo, rendered);
      }
      queries += r.queries;
      withSeries += r.withSeries;
      problems.push(...r.problems);
      for (const e of r.excused)
        for (const [metric, decl] of e.declarations)
          excused.set(`${decl.absence}: ${decl.reason}`, [...(excused.get(`${decl.absence}: ${decl.reason}`) ?? []), `${e.where} (${metric})`]);
    }
    expectThat(!problems.length, `${problems.length} queries:\n    ${problems.join('\n    ')}`);
    const why = [...excused.entries()].map(([reason, where]) => `${new Set(where.map((w) => w.replace(/ \(.*/, ''))).size} ${reason}`);
    return `${dashboards.length} dashboards, ${queries} queries: ${withSeries} return series; declared empty here: ${why.join('; ') || 'none'}`;
  }

  private async checkRules(): Promise<string> {
    const groups = testRuleGroups(this.env.objects);
    const recorded = new Set<string>(groups.flatMap((g: Any) => g.rules.filter((r: Any) => r.record).map((r: Any) => r.record)));
    let rules = await this.prom.rules();
    await until(
      'every rule evaluated once',
      30_000,
      async () => {
        rules = await this.prom.rules();
        return rules.every((r) => !r.lastEvaluation.startsWith('0001')) ? true : undefined;
      },
      1000,
    );
    const failing = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    expectThat(!failing.length, `rules with evaluation errors:\n    ${failing.join('\n    ')}`);
    // Asked of Prometheus, not the processes: a series a process exposed since its last scrape (vulture's
    // per-error counters appear with its first check) arrives within a scrape interval, so allow three.
    let missing: string[] = [];
    await until(
      'every metric the rules read in Prometheus',
      3 * SCRAPE_INTERVAL_MS,
      async () => {
        missing = await rulesMissingMetrics(groups, this.prom, recorded, this.tempo);
        return missing.length ? undefined : true;
      },
      1000,
    ).catch(() => undefined);
    expectThat(!missing.length, `rules read metrics the stack does not expose:\n    ${missing.join('\n    ')}`);
    return `${rules.length} rules evaluate without error; every metric they read exists (declared exceptions aside)`;
  }

  private async active(): Promise<PromAlert[]> {
    return this.prom.alerts();
  }

  private async checkQuiet(): Promise<string> {
    const started = Date.now();
    const first = await this.active();
    let now = first;
    await until(
      `still pending or firing after ${SETTLE_MS / 60_000} min`,
      SETTLE_MS,
      async () => {
        now = await this.active();
        return now.length === 0 ? true : undefined;
      },
      5000,
    ).catch(() => {
      throw new Error(`alerts on the healthy stack: ${now.map(describeAlert).join('; ')}`);
    });
    const waited = ((Date.now() - started) / 1000).toFixed(0);
    return first.length ? `none after ${waited} s (left over from the run's start, crash and restarts: ${first.map(describeAlert).join('; ')})` : 'none';
  }

  private async pushOnce(): Promise<boolean> {
    return pushTrafficTrace(this.trafficUrl, this.tenant, 1).then(
      () => true,
      () => false,
    );
  }

  private async waitFor(what: string, alerts: string[], match: (a: PromAlert) => boolean, timeoutMs: number): Promise<string> {
    const started = Date.now();
    let last: PromAlert[] = [];
    const found = await until(
      `${alerts.join(' or ')} pending`,
      timeoutMs,
      async () => {
        last = await this.active();
        const hits = last.filter((a) => alerts.includes(a.labels.alertname!) && match(a));
        return hits.length ? hits : undefined;
      },
      2000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; active then: ${last.map(describeAlert).join('; ') || 'none'}`);
    });
    return `${what}: ${found.map(describeAlert).join('; ')} after ${((Date.now() - started) / 1000).toFixed(0)} s`;
  }
}
