// A run with TLS (the rendered config has server.grpc_tls_config): the test's certificates mounted where
// the pods mount their Secrets, every client of the e2e speaking TLS as Grafana and the collectors would
// (the CA, the in-cluster name the certificate carries), tempo-vulture's TLS sidecar stood in for, and the
// proof that no listening port of Tempo or memcached accepts plaintext.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { expectThat } from './checks';
import { type Pki, makePki, mountSecrets, pem } from './pki';
import { type Plan, type PlannedProcess, resolveAddress, splitHostPort } from './plan';
import type { Proc } from './proc';
import type { Any } from './rendered';
import { useTls } from './tempo-api';
import { collectorConfig } from './tls-clients';
import { selects } from './topology';

export interface TlsRun {
  pki: Pki;
  /** Loopback port -> the in-cluster name the e2e checks that process's certificate under (its Service's). */
  names: Map<number, string>;
}

export const tlsOn = (env: { tempo: Any }): boolean => Boolean(env.tempo?.server?.grpc_tls_config?.cert_file);
export const schemeOf = (plan: Plan): 'http' | 'https' => (tlsOn(plan.env) ? 'https' : 'http');

/** Makes the certificates, mounts them in every process's directory and points the e2e's clients at the CA. */
export function prepareTls(plan: Plan): TlsRun | undefined {
  if (!tlsOn(plan.env)) {
    useTls(undefined);
    return undefined;
  }
  // tempo-vulture names the query-frontend by URL; on loopback that URL's host is localhost (stack.ts).
  const frontend = plan.processes.find((p) => p.component === 'query-frontend')?.workload.secretMounts[0]?.secretName;
  const pki = makePki(join(plan.dir, 'pki'), plan.env.objects, frontend ? { [frontend]: ['localhost'] } : {});
  for (const p of plan.processes) mountSecrets(p, pki);
  const names = new Map<number, string>();
  for (const p of plan.processes) {
    const svc = plan.services.find((s) => selects(s, p.workload.podLabels));
    if (!svc) continue;
    for (const port of [...p.ports.values(), ...p.podLocalPorts.values()]) names.set(port, `${svc.name}.${svc.namespace}.svc.cluster.local`);
  }
  useTls({ ca: pem(pki.ca), serverName: (port) => names.get(port) });
  return { pki, names };
}

/** The TCP ports a process listens on, read from /proc (its socket inodes against the kernel's LISTEN table). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.add(Number.parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Plaintext bytes to a port: refused means closed without an answer, a TLS alert, or Go's "HTTP request to an HTTPS server" 400. */
export function plaintextAnswer(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = createConnection({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const done = () => {
      socket.destroy();
      const text = got.toString('latin1');
      if (got.length === 0 || got[0] === 0x15 || (/^HTTP\/1\.[01] 400/.test(text) && text.includes('HTTPS server'))) resolve(undefined);
      else resolve(JSON.stringify(text.slice(0, 80)));
    };
    socket.setTimeout(3_000, done);
    socket.on('data', (d) => (got = Buffer.concat([got, d])));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: plaintext\r\nConnection: close\r\n\r\nstats\r\n'));
  });
}

/** A TLS handshake checked against the CA under `servername`; resolves with why it failed, or undefined. */
export function handshake(port: number, servername: string, ca: Buffer, cert?: { cert: Buffer; key: Buffer }, write?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, ca, ...cert, ALPNProtocols: ['h2', 'http/1.1'] });
    let answer = '';
    const timer = setTimeout(() => finish(write ? (answer ? undefined : 'no answer') : 'timed out'), 3_000);
    const finish = (why: string | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(why);
    };
    s.on('secureConnect', () => (write ? s.write(write) : finish(undefined)));
    s.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('END\r\n')) finish(undefined);
    });
    s.on('error', (e) => finish(e.message));
    s.on('close', () => finish(answer ? undefined : 'closed'));
  });
}

/**
 * A gRPC health check over TLS: with no client certificate, another CA's, or the CA's. With multitenancy on,
 * Tempo's gRPC server refuses any call without a tenant ("no org id"), the health check included.
 */
function grpcHealth(port: number, servername: string, ca: Buffer, pair?: { cert: Buffer; key: Buffer }, tenant?: string): Promise<string | undefined> {
  const creds = pair ? grpc.credentials.createSsl(ca, pair.key, pair.cert) : grpc.credentials.createSsl(ca);
  const client = new grpc.Client(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername });
  const metadata = new grpc.Metadata();
  if (tenant) metadata.set('x-scope-orgid', tenant);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 5_000 },
      (err) => {
        client.close();
        resolve(err ? `${grpc.status[err.code] ?? err.code}: ${err.details}` : undefined);
      },
    );
  });
}

/**
 * Every TCP port every Tempo and memcached process listens on (as the kernel lists them, not as planned)
 * refuses plaintext and completes a TLS handshake under its certificate's name; Tempo's gRPC port and
 * memcached also refuse a client without a certificate, and one signed by another CA.
 */
export async function checkTransport(plan: Plan, tls: TlsRun, procs: Map<string, Proc>, which: PlannedProcess[]): Promise<string> {
  const ca = pem(tls.pki.ca);
  const mine = { cert: pem(tls.pki.client.crt), key: pem(tls.pki.client.key) };
  const rogue = { cert: pem(tls.pki.rogue.crt), key: pem(tls.pki.rogue.key) };
  const grpcPort = Number(plan.env.tempo.server?.grpc_listen_port ?? 9095);
  const tenant = plan.env.tempo.multitenancy_enabled === true ? 'e2e-tls-check' : undefined;
  let ports = 0;
  let mutual = 0;
  for (const p of which.filter((x) => x.role !== 'vulture')) {
    const pid = procs.get(p.id)?.child.pid;
    expectThat(pid, `${p.id} is not running`);
    const listening = listeningPorts(pid);
    expectThat(listening.length > 0, `${p.id} (pid ${pid}) listens on no TCP port`);
    const podPort = (port: number) => [...p.ports, ...p.podLocalPorts].find(([, l]) => l === port)?.[0];
    const name = (port: number) => tls.names.get(port) ?? [...tls.names.values()][0]!;
    for (const port of listening) {
      const what = `${p.id} port ${port} (pod port ${podPort(port) ?? 'unplanned'})`;
      const plain = await plaintextAnswer(port);
      expectThat(plain === undefined, `${what} answered plaintext: ${plain}`);
      const mutualPort = p.role === 'memcached' || podPort(port) === grpcPort;
      if (p.role === 'memcached') {
        expectThat(!(await handshake(port, name(port), ca, mine, 'stats\r\n')), `${what}: TLS with the CA's client certificate got no stats`);
        expectThat(await handshake(port, name(port), ca, undefined, 'stats\r\n'), `${what}: answered a TLS client without a certificate`);
        expectThat(await handshake(port, name(port), ca, rogue, 'stats\r\n'), `${what}: answered a client certificate of another CA`);
      } else if (mutualPort) {
        const ok = await grpcHealth(port, name(port), ca, mine, tenant);
        expectThat(ok === undefined, `${what}: gRPC health with the CA's client certificate failed: ${ok}`);
        expectThat(await grpcHealth(port, name(port), ca, undefined, tenant), `${what}: answered a gRPC client without a certificate`);
        expectThat(await grpcHealth(port, name(port), ca, rogue, tenant), `${what}: answered a client certificate of another CA`);
      } else {
        const why = await handshake(port, name(port), ca);
        expectThat(why === undefined, `${what}: no TLS handshake under ${name(port)}: ${why}`);
      }
      ports++;
      if (mutualPort) mutual++;
    }
  }
  return `${which.map((p) => p.id).join(', ')}: ${ports} listening ports refuse plaintext and speak TLS under their certificate's name; ${mutual} (Tempo gRPC, memcached) refuse no client certificate and another CA's`;
}

/**
 * tempo-vulture's TLS sidecar (an OpenTelemetry Collector, whose binary is not on this machine), stood in for
 * with what its rendered config says: listen where its receiver listens (the pod's loopback), dial its
 * exporter's endpoint over TLS with its ca_file (from the directory standing in for the mounted Secret),
 * checking the endpoint's host. It passes bytes through; the real sidecar re-encodes the same spans.
 */
export function startSidecarStandIn(plan: Plan, p: PlannedProcess, localPort: (podPort: number) => number): Server | undefined {
  const w = plan.env.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === p.workload.name);
  const sidecar = w?.spec.template.spec.containers.find((c: Any) => c.name === 'tls-sidecar');
  if (!sidecar) return undefined;
  const { config } = collectorConfig(plan.env.objects, w, sidecar.name);
  const exporter = config.exporters.otlp_grpc;
  const listen = splitHostPort(config.receivers.otlp.protocols.grpc.endpoint);
  const target = resolveAddress(plan, exporter.endpoint)[0];
  if (!target) throw new Error(`tempo-vulture's sidecar exports to ${exporter.endpoint}, which no Service reaches`);
  const ca = readFileSync(join(p.dir, exporter.tls.ca_file));
  const servername = splitHostPort(exporter.endpoint).host;
  const upstream = splitHostPort(target);
  const server = createServer((down) => {
    const up = tlsConnect({ host: upstream.host, port: upstream.port, servername, ca, ALPNProtocols: ['h2'] });
    up.on('secureConnect', () => {
      down.pipe(up);
      up.pipe(down);
    });
    const end = () => {
      down.destroy();
      up.destroy();
    };
    up.on('error', end);
    down.on('error', end);
    up.on('close', end);
    down.on('close', end);
  });
  server.listen(localPort(listen.port), '127.0.0.1');
  return server;
}
