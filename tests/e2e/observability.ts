// The dashboards and alerts against the loopback stack, scraped by a real Prometheus exactly as the
// rendered ServiceMonitors describe (scrape-config.ts), with the metrics-generator's remote write and
// the environment's PrometheusRule loaded. With traffic flowing: every target carries the labels the
// rules select on; every catalogued Tempo metric is exposed as the catalogue says, in both text
// formats; every dashboard query returns series (declared exceptions aside); every rule evaluates and
// reads metrics that exist; nothing is pending or firing. Then faults, each making its alerts pending.
// The components come from the rendered environment (the plan), never from a list of 2.10 targets.
import { type Checks, expectThat } from './checks';
import { FORMATS, METRICS, exporterOf, exposition, type Format } from '../helpers/metrics/catalogue';
import { NOT_ON_LOOPBACK } from '../helpers/metrics/loopback';
import { checkDashboard, missingMetrics, renderedDashboards } from './dashboard-queries';
import { byComponent, receiverEndpoints, urlOf, type Plan, type PlannedProcess } from './plan';
import { PrometheusApi, describeAlert, type PromAlert } from './prometheus-api';
import { sleep, until } from './proc';
import type { Any, RenderedEnvironment } from './rendered';
import { ACCEPTED_BY_DEFAULT, scrapeTargets, seconds, testRuleGroups } from './scrape-config';
import type { Stack } from './stack';
import { request, search } from './tempo-api';
import { SINGLE_TENANT, configuredTenants, multitenancy } from './tenants';
import { pushTrafficTrace } from './traffic';

/** Long enough for every `[5m]` window of the rules to forget the harness's own crash and restarts. */
const SETTLE_MS = 6 * 60_000;

export class ObservabilityChecks {
  private readonly prom: PrometheusApi;
  private readonly tenant: string | undefined;
  private traffic?: Promise<void>;
  private stopTraffic = false;

  constructor(
    private readonly env: RenderedEnvironment,
    private readonly plan: Plan,
    private readonly stack: Stack,
    private readonly checks: Checks,
    private readonly frontend: string,
  ) {
    this.prom = new PrometheusApi(`http://127.0.0.1:${plan.prometheusPort}`);
    this.tenant = multitenancy(env) ? configuredTenants(env)[0] : undefined;
  }

  async run(): Promise<void> {
    const { checks } = this;
    this.startTraffic();
    try {
      await checks.run('scrape: every process a target, labelled as the ServiceMonitors label it', () => this.checkTargets());
      await checks.run('scrape: every catalogued metric as exposed, per format', () => this.checkExposition());
      await checks.run('dashboards: every panel query returns series', () => this.checkDashboards());
      await checks.run('rules: every rule evaluates and reads metrics that exist', () => this.checkRules());
      await checks.run('alerts: nothing pending or firing on the healthy stack', () => this.checkQuiet());
      await this.checkFaults();
    } finally {
      this.stopTraffic = true;
      await this.traffic;
    }
  }

  /** Traces of three services (errors, slow server spans, client/server pairs) every 2 s until run() ends. */
  private startTraffic(): void {
    const distributor = byComponent(this.plan, 'distributor')[0]!;
    const http = receiverEndpoints(this.env.tempo).find((r) => r.key === 'otlp.http');
    expectThat(http, 'the distributor has no OTLP HTTP receiver to send the traffic to');
    const url = `${urlOf(distributor, http.port)}/v1/traces`;
    this.traffic = (async () => {
      for (let i = 0; !this.stopTraffic && i < 3600; i++) {
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

  /** Every Tempo, vulture and Go metric of the catalogue on the processes' /metrics, in both formats. */
  private async checkExposition(): Promise<string> {
    const seen = { openmetrics: new Map<string, string>(), text: new Map<string, string>() };
    const samples = { openmetrics: new Set<string>(), text: new Set<string>() };
    for (const t of scrapeTargets(this.plan)) {
      for (const format of Object.keys(FORMATS) as Format[]) {
        const r = await fetch(`http://${t.address}/metrics`, { headers: { Accept: FORMATS[format] }, signal: AbortSignal.timeout(10_000) });
        const type = r.headers.get('content-type') ?? '';
        expectThat(type.startsWith(FORMATS[format].split(';')[0]!), `${t.process.id}: asked for ${FORMATS[format]}, got ${type}`);
        for (const line of (await r.text()).split('\n')) {
          const m = /^# TYPE (\S+) (\S+)/.exec(line);
          if (m) seen[format].set(m[1]!, m[2]!);
          else if (line && !line.startsWith('#')) samples[format].add(/^[^{ ]+/.exec(line)![0]);
        }
      }
    }
    const problems: string[] = [];
    const staleDeclarations: string[] = [];
    const checked = new Set<string>();
    for (const [name, info] of Object.entries(METRICS)) {
      if (!['tempo', 'vulture', 'go'].includes(exporterOf(info))) continue;
      const declared = NOT_ON_LOOPBACK[name];
      for (const format of Object.keys(FORMATS) as Format[]) {
        const want = exposition(name, format);
        const present = want.samples.filter((s) => samples[format].has(s));
        if (declared && present.length && declared.absence !== 'error-only') staleDeclarations.push(`${name} (${declared.absence})`);
        if (declared) continue;
        if (present.length !== want.samples.length) problems.push(`${format}: no ${want.samples.filter((s) => !present.includes(s)).join(', ')}`);
        else if (seen[format].get(want.family) !== want.type)
          problems.push(`${format}: # TYPE ${want.family} ${seen[format].get(want.family)}, the catalogue says ${want.type}`);
        else checked.add(name);
      }
    }
    expectThat(!problems.length, `the catalogue does not match the scrape:\n    ${problems.join('\n    ')}`);
    expectThat(!staleDeclarations.length, `declared absent in tests/helpers/metrics/loopback.ts, yet exposed: ${[...new Set(staleDeclarations)].join(', ')}`);
    return `${checked.size} metrics match the catalogue in OpenMetrics 1.0.0 and text 0.0.4 (names and # TYPE)`;
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
      let r = await checkDashboard(d, this.prom, traceql);
      for (let i = 0; r.problems.length && i < 12; i++) {
        await sleep(5000);
        r = await checkDashboard(d, this.prom, traceql);
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
    const missing: string[] = [];
    for (const r of groups.flatMap((g: Any) => g.rules)) {
      const absent = (await missingMetrics(r.expr, this.prom, recorded)).filter((m) => !NOT_ON_LOOPBACK[m]);
      if (absent.length) missing.push(`${r.alert ?? r.record}: ${absent.join(', ')}`);
    }
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
    return first.length ? `none after ${waited} s (left over from the run's own crash and restarts: ${first.map(describeAlert).join('; ')})` : 'none';
  }

  private async waitFor(what: string, alerts: string[], match: (a: PromAlert) => boolean, timeoutMs: number): Promise<string> {
    const started = Date.now();
    let last: PromAlert[] = [];
    const found = await until(
      `${alerts.join(' or ')} not pending within ${timeoutMs / 1000} s (active: ${last.map(describeAlert).join('; ') || 'none'})`,
      timeoutMs,
      async () => {
        last = await this.active();
        const hits = last.filter((a) => alerts.includes(a.labels.alertname!) && match(a));
        return hits.length ? hits : undefined;
      },
      2000,
    );
    return `${what}: ${found.map(describeAlert).join('; ')} after ${((Date.now() - started) / 1000).toFixed(0)} s`;
  }

  /** Three faults at once; each check waits for its own alerts (the ring's heartbeat timeout sets the longest wait). */
  private async checkFaults(): Promise<void> {
    const ingesters = byComponent(this.plan, 'ingester');
    const victim = ingesters.at(-1)!;
    const generator = byComponent(this.plan, 'metrics-generator')[0];
    const heartbeat = seconds(String(this.env.tempo.ingester?.lifecycler?.ring?.heartbeat_timeout ?? '5m')) * 1000;
    const tenant = this.tenant ?? SINGLE_TENANT;

    // A tenant over its limit: its runtime overrides (the defaults, with a 1-byte rate and burst) reloaded live.
    const limited = structuredClone(this.env.tempo.overrides?.defaults ?? {});
    limited.ingestion = { ...(limited.ingestion ?? {}), rate_limit_bytes: 1, burst_size_bytes: 1 };
    const overrides = structuredClone(this.env.overrides ?? {});
    overrides.overrides = { ...(overrides.overrides ?? {}), [tenant]: limited };
    this.plan.env.overridesText = JSON.stringify(overrides);
    for (const p of this.plan.processes.filter((x) => x.role === 'tempo' && x.id !== victim.id && x.id !== generator?.id)) this.stack.prepareTempo(p);
    // The metrics-generator's remote-write target down: restarted with its URL on a port that drops every connection.
    if (generator) {
      const prometheusPort = this.plan.prometheusPort;
      this.plan.prometheusPort = this.plan.blackholePort;
      try {
        await this.stack.restart(generator);
      } finally {
        this.plan.prometheusPort = prometheusPort;
      }
    }
    await this.stack.proc(victim.id).kill9();

    const job = (component: string, p?: PlannedProcess) => (a: PromAlert) =>
      a.labels.job === `${this.plan.namespace}/${component}` && (!p || !a.labels.pod || a.labels.pod === p.id);
    const waits = [
      this.checks.run(`fault: ingester ${victim.id} killed -> TempoTargetDown / TempoComponentDown`, () =>
        this.waitFor('scrape', ['TempoTargetDown', 'TempoComponentDown'], job('ingester', victim), 90_000),
      ),
      this.checks.run(`fault: ingester ${victim.id} killed -> TempoIngesterUnhealthy (after the ring's ${heartbeat / 1000} s heartbeat timeout)`, () =>
        this.waitFor('ring', ['TempoIngesterUnhealthy'], () => true, heartbeat + 120_000),
      ),
      this.checks.run(`fault: tenant ${tenant} over its limit -> TempoDiscardingSpans, TempoReceiverRefusingSpans`, async () => {
        const discarded = await this.waitFor(
          'discarded',
          ['TempoDiscardingSpans'],
          (a) => a.labels.tenant === tenant && a.labels.reason === 'rate_limited',
          120_000,
        );
        const refused = await this.waitFor('refused', ['TempoReceiverRefusingSpans'], () => true, 120_000);
        const limits = await this.prom.query(`tempo_limits_overrides{user="${tenant}", limit_name="ingestion_rate_limit_bytes"}`);
        expectThat(limits.length, `tempo_limits_overrides has no series for ${tenant} after its override was loaded`);
        return `${discarded}; ${refused}; tempo_limits_overrides{user="${tenant}"} exposed`;
      }),
    ];
    if (generator) {
      waits.push(
        this.checks.run('fault: remote-write target down -> TempoMetricsGeneratorRemoteWriteBehind', () =>
          this.waitFor(
            'remote write',
            ['TempoMetricsGeneratorRemoteWriteBehind', 'TempoMetricsGeneratorRemoteWriteFailing'],
            job('metrics-generator'),
            300_000,
          ),
        ),
      );
    } else this.checks.skip('fault: remote-write target down', 'the environment runs no metrics-generator');
    const failed = (await Promise.allSettled(waits)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const reply = await request(`${this.frontend}/ready`);
    expectThat(reply.status === 200, `the query-frontend is not ready after the faults: HTTP ${reply.status}`);
  }
}
