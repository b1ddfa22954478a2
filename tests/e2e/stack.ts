// Starts, restarts and stops the loopback stack a Plan describes: the S3 server, Prometheus, memcached,
// every Tempo process (its derived config under its own directory) and tempo-vulture.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Server } from 'node:net';
import { stringify } from 'yaml';
import type { Binaries } from './binaries';
import { Bucket } from './bucket';
import { S3_ACCESS_KEY, S3_SECRET_KEY, loopbackTempoConfig, reroot } from './loopback';
import { byComponent, resolveAddress, type Plan, type PlannedProcess } from './plan';
import { Proc, blackhole, settlesWithin, until } from './proc';
import { startSidecarStandIn } from './tls';
import { prometheusConfig } from './scrape-config';
import { isReady } from './tempo-api';

/** SIGTERM grace before SIGKILL: the 2.10.8 querier and query-frontend never exit on SIGTERM (and the
 * metrics-generator is rarely done within it); ingesters flush and exit well within it. */
export const STOP_GRACE_MS = 3_000;

/** A throw-away key and self-signed certificate for 127.0.0.1 (the S3 server's; Tempo trusts it as its CA). */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { key, cert };
}

export interface Unresolved {
  process: string;
  path: string;
  address: string;
}

export class Stack {
  readonly procs = new Map<string, Proc>();
  readonly unresolved: Unresolved[] = [];
  private hole?: Server;
  private sidecar?: Server;
  private s3?: Proc;
  private prometheus?: Proc;
  readonly logs: string;

  constructor(
    readonly plan: Plan,
    readonly bin: Binaries,
    readonly bucket: string,
    readonly vultureExtraArgs: string[],
  ) {
    this.logs = join(plan.dir, 'logs');
    mkdirSync(this.logs, { recursive: true });
  }

  get blackholeAddress(): string {
    return `127.0.0.1:${this.plan.blackholePort}`;
  }

  async startBacking(): Promise<void> {
    this.hole = await blackhole(this.plan.blackholePort);
    const s3dir = join(this.plan.dir, 's3');
    mkdirSync(s3dir, { recursive: true });
    const tls = selfSignedCertificate(dirname(this.plan.s3CaFile));
    this.s3 = new Proc('s3rver', join(this.logs, 's3rver.log'), process.execPath, [
      this.bin.s3rver,
      s3dir,
      String(this.plan.s3Port),
      this.bucket,
      tls.key,
      tls.cert,
    ]);
    const promDir = join(this.plan.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(join(promDir, 'prometheus.yml'), prometheusConfig(this.plan, promDir)); // scrapes and rules: scrape-config.ts
    this.prometheus = new Proc('prometheus', join(this.logs, 'prometheus.log'), this.bin.prometheus, [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.plan.prometheusPort}`,
      '--web.enable-remote-write-receiver',
    ]);
    for (const p of byComponent(this.plan, 'memcached')) this.startMemcached(p);
    await Promise.all([
      until('s3rver answers', 20_000, async () => ((await new Bucket(this.plan.s3Port, this.bucket, this.plan.s3CaFile).keys()) ? true : undefined)),
      until('prometheus is ready', 30_000, async () => ((await fetch(`http://127.0.0.1:${this.plan.prometheusPort}/-/ready`)).ok ? true : undefined)),
    ]);
  }

  private startMemcached(p: PlannedProcess): void {
    // The container's own args (memory, item size, connections), on loopback; root needs a user to drop to.
    const port = [...p.ports.values()][0]!;
    const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    // Certificate files in -o ssl_*=<path> sit on the pod's volumes: re-rooted like every volume path.
    const args = p.workload.args.map((a) =>
      a.replace(
        /(?<=^|[=,])\/[^,=]+/g,
        (path) =>
          reroot(
            path,
            p.workload.secretMounts.map((m) => m.mountPath),
            p.dir,
          ) ?? path,
      ),
    );
    this.procs.set(
      p.id,
      new Proc(p.id, join(this.logs, `${p.id}.log`), this.bin.memcached, [...args, '-l', '127.0.0.1', '-p', String(port), '-U', '0', ...asRoot]),
    );
  }

  /** Writes the process's config, overrides and volume directories; returns the derived config. */
  prepareTempo(p: PlannedProcess) {
    const config = loopbackTempoConfig(this.plan.env.tempo, {
      plan: this.plan,
      process: p,
      blackhole: this.blackholeAddress,
      onUnresolved: (path, address) => {
        if (!this.unresolved.some((u) => u.process === p.id && u.path === path && u.address === address))
          this.unresolved.push({ process: p.id, path, address });
      },
    });
    for (const m of p.workload.mountPaths) mkdirSync(join(p.dir, m), { recursive: true });
    const overridesFile = this.plan.env.tempo?.overrides?.per_tenant_override_config;
    if (typeof overridesFile === 'string') {
      const target = reroot(overridesFile, p.workload.mountPaths, p.dir) ?? join(p.dir, overridesFile);
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(target, this.plan.env.overridesText); // the ConfigMap's content, unchanged
    }
    const configArg = p.workload.args.find((a) => a.startsWith('-config.file=')) ?? '-config.file=/conf/tempo.yaml';
    const configPath = reroot(configArg.split('=')[1]!, p.workload.mountPaths, p.dir) ?? join(p.dir, 'tempo.yaml');
    mkdirSync(join(configPath, '..'), { recursive: true });
    writeFileSync(configPath, stringify(config));
    return config;
  }

  private tempoEnv(p: PlannedProcess): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: p.dir, TMPDIR: join(p.dir, 'tmp'), ...p.workload.env };
    // Values from Secrets are the S3 keys (the stack's only Secret); the IAM chain (IRSA) reads AWS_* env.
    for (const name of p.workload.secretEnv) env[name] = /SECRET/i.test(name) ? S3_SECRET_KEY : S3_ACCESS_KEY;
    env.AWS_ACCESS_KEY_ID = S3_ACCESS_KEY;
    env.AWS_SECRET_ACCESS_KEY = S3_SECRET_KEY;
    return env;
  }

  startTempo(p: PlannedProcess): Proc {
    this.prepareTempo(p);
    const args = p.workload.args.map((a) => {
      const [flag, value] = a.split(/=(.*)/s);
      const moved = value === undefined ? undefined : reroot(value, p.workload.mountPaths, p.dir);
      return moved ? `${flag}=${moved}` : a;
    });
    const proc = new Proc(p.id, join(this.logs, `${p.id}.log`), this.bin.tempo, args, this.tempoEnv(p), p.dir);
    this.procs.set(p.id, proc);
    return proc;
  }

  startAllTempo(): void {
    for (const p of this.plan.processes) if (p.role === 'tempo') this.startTempo(p);
  }

  /** tempo-vulture with its rendered args, in-cluster URLs resolved to loopback, plus the e2e's pacing flags. */
  startVulture(): Proc | undefined {
    const p = byComponent(this.plan, 'vulture')[0];
    if (!p) return undefined;
    const args = p.workload.args.map((a) => {
      const m = /^(-{1,2}[\w-]+)=(.*)$/.exec(a);
      if (!m) return a;
      const [, flag, value] = m;
      if (flag === '-prometheus-listen-address') {
        const port = Number(value!.split(':').pop());
        return `${flag}=127.0.0.1:${p.ports.get(port)}`;
      }
      if (/^https?:\/\//.test(value!)) {
        const url = new URL(value!);
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
        // The pod's own loopback (its TLS sidecar), else a Service of the stack.
        const local = ['127.0.0.1', 'localhost'].includes(url.hostname) ? p.podLocalPorts.get(port) : undefined;
        let target = local !== undefined ? `127.0.0.1:${local}` : (resolveAddress(this.plan, `${url.hostname}:${port}`)[0] ?? this.blackholeAddress);
        if (target === this.blackholeAddress) this.unresolved.push({ process: p.id, path: flag!, address: value! });
        // https checks the host: vulture has no server-name flag, and the test's query-frontend certificate names localhost too.
        if (url.protocol === 'https:') target = target.replace('127.0.0.1', 'localhost');
        return `${flag}=${url.protocol}//${target}${url.pathname === '/' ? '' : url.pathname}`;
      }
      return a;
    });
    this.sidecar = startSidecarStandIn(this.plan, p, (port) => {
      const local = p.podLocalPorts.get(port);
      if (local === undefined) throw new Error(`${p.id}: the sidecar listens on ${port}, which vulture does not push to`);
      return local;
    });
    // Env values that are files on the pod's volumes (SSL_CERT_FILE: the mounted CA).
    const env = Object.fromEntries(Object.entries(p.workload.env).map(([k, v]) => [k, reroot(v, p.workload.mountPaths, p.dir) ?? v]));
    const proc = new Proc(
      p.id,
      join(this.logs, `${p.id}.log`),
      this.bin.vulture,
      [...args, ...this.vultureExtraArgs],
      { PATH: process.env.PATH ?? '', ...env },
      undefined,
    );
    this.procs.set(p.id, proc);
    return proc;
  }

  proc(id: string): Proc {
    const p = this.procs.get(id);
    if (!p) throw new Error(`no process ${id}`);
    return p;
  }

  /** Stops one process the way Kubernetes would: SIGTERM, SIGKILL after the grace period. */
  async stop(id: string): Promise<'exited' | 'killed'> {
    return this.proc(id).stop({ graceMs: STOP_GRACE_MS });
  }

  async restart(p: PlannedProcess): Promise<Proc> {
    await this.stop(p.id);
    return this.startTempo(p);
  }

  /** Stops everything (Tempo first, so ingesters can flush to a still running S3); returns how each ended. */
  async stopAll(): Promise<Map<string, 'exited' | 'killed'>> {
    const how = new Map<string, 'exited' | 'killed'>();
    const tempo = [...this.procs.entries()].filter(([id]) => this.plan.processes.find((p) => p.id === id)?.role !== 'memcached');
    await Promise.all(tempo.map(async ([id, p]) => how.set(id, await p.stop({ graceMs: STOP_GRACE_MS }))));
    const rest = [...this.procs.entries()].filter(([id]) => !how.has(id));
    const backing: Array<[string, Proc | undefined]> = [...rest, ['s3rver', this.s3], ['prometheus', this.prometheus]];
    await Promise.all(backing.map(async ([id, p]) => p && how.set(id, await p.stop({ graceMs: STOP_GRACE_MS }))));
    if (this.hole) await settlesWithin(new Promise((resolve) => this.hole!.close(resolve)), 2_000);
    if (this.sidecar) await settlesWithin(new Promise((resolve) => this.sidecar!.close(resolve)), 2_000);
    return how;
  }

  allProcs(): Proc[] {
    return [...this.procs.values(), ...(this.s3 ? [this.s3] : []), ...(this.prometheus ? [this.prometheus] : [])];
  }
}

/** Waits until every process answers /ready with 200 (at `base(p)`); fails at once with its log if one exits. */
export async function waitReady(stack: Stack, procs: PlannedProcess[], base: (p: PlannedProcess) => string, timeoutMs: number): Promise<string> {
  const started = Date.now();
  await Promise.all(
    procs.map((p) =>
      until(
        `${p.id} never answered /ready 200`,
        timeoutMs,
        async () => {
          const proc = stack.proc(p.id);
          if (!proc.running) throw new Error(`${p.id} exited (${proc.exitCode ?? proc.exitSignal}):\n${proc.tail(8)}`);
          return (await isReady(base(p))) || undefined;
        },
        500,
      ),
    ),
  );
  return `${procs.map((p) => p.component).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}
