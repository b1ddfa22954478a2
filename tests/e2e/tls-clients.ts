// The TLS clients this machine cannot run (no OpenTelemetry Collector or Grafana binary in npm or Debian),
// built from what they are rendered with and pointed at the real TLS distributor and query-frontend: the
// collector agent's exporters (endpoint, tls.ca_file read through the DaemonSet's mounts, the name gRPC
// checks: server_name_override or the endpoint's host, headers) and each Tempo data source of Grafana
// (url, jsonData.tlsAuthWithCACert / serverName / tlsSkipVerify, secureJsonData.tlsCACert, headers).
// Each must connect and carry a trace through; the same client under a name the certificate lacks, or
// without the CA, must be refused by the handshake.
import { posix } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parse } from 'yaml';
import { expectThat } from './checks';
import { OTLP_GRPC_METHOD, otlpPartialSuccess, otlpProtobuf } from './encodings';
import { type HttpsReply, httpsExchange } from './https';
import { type Pki, pem } from './pki';
import { type Plan, resolveAddress, splitHostPort } from './plan';
import type { Any } from './rendered';
import { spansOf } from './tempo-api';
import { type TestTrace, spanIds } from './traces';

const TIMEOUT_MS = 5_000;
/** What a refused handshake says (Node's and grpc-js's wording): never a refused connection or a timeout. */
const CERTIFICATE_ERROR = /certificate|altnames|self[- ]signed|unable to (get|verify)/i;

/** A workload's OpenTelemetry Collector config (its --config file, read through the ConfigMap mounted there), and where its other files come from. */
export function collectorConfig(objects: Any[], workload: Any, container?: string): { config: Any; fileSource(path: string): SecretFile } {
  const spec = workload.spec.template.spec;
  const c = spec.containers.find((x: Any) => (container ? x.name === container : (x.args ?? []).some((a: string) => a.startsWith('--config='))));
  const what = `${workload.kind}/${workload.metadata.name}`;
  const file = String(c?.args?.find((a: string) => a.startsWith('--config='))?.slice('--config='.length) ?? '');
  expectThat(file, `${what} runs no collector with --config=`);
  const mountOf = (path: string) => (c.volumeMounts ?? []).find((m: Any) => path.startsWith(`${m.mountPath}/`));
  const volumeOf = (path: string) => spec.volumes?.find((v: Any) => v.name === mountOf(path)?.name);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volumeOf(file)?.configMap?.name);
  const text = cm?.data?.[file.slice(mountOf(file).mountPath.length + 1)];
  expectThat(typeof text === 'string', `${what}: ${file} is on no ConfigMap it mounts`);
  return {
    config: parse(text),
    fileSource(path: string): SecretFile {
      const secret = volumeOf(path)?.secret;
      expectThat(secret, `${what}: ${path} is on no Secret it mounts`);
      const name = posix.relative(mountOf(path).mountPath, path);
      const key = secret.items ? secret.items.find((i: Any) => i.path === name)?.key : name;
      expectThat(key, `${what}: the Secret ${secret.secretName} mounted at ${mountOf(path).mountPath} projects no ${name}`);
      return { secretName: secret.secretName, key };
    },
  };
}

export interface SecretFile {
  secretName: string;
  key: string;
}
/** The run's content of a key of a certificate Secret, as cert-manager would write it. */
export function secretContent(pki: Pki, f: SecretFile): Buffer {
  if (f.key === 'ca.crt') return pem(pki.ca);
  const pair = pki.secrets.get(f.secretName);
  expectThat(pair, `Secret ${f.secretName}: no rendered Certificate writes it`);
  if (f.key === 'tls.crt') return pem(pair.crt);
  if (f.key === 'tls.key') return pem(pair.key);
  throw new Error(`Secret ${f.secretName}: cert-manager writes no key ${f.key}`);
}

/** One OTLP export over gRPC with TLS; resolves with why it failed, or undefined. */
function otlpExport(
  address: string,
  ca: Buffer | undefined,
  servername: string,
  trace: TestTrace,
  headers: Record<string, string>,
): Promise<string | undefined> {
  const client = new grpc.Client(address, grpc.credentials.createSsl(ca ?? null), {
    'grpc.ssl_target_name_override': servername,
    'grpc.default_authority': servername,
  });
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) metadata.set(k.toLowerCase(), v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      OTLP_GRPC_METHOD,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(otlpProtobuf([trace])),
      metadata,
      { deadline: Date.now() + TIMEOUT_MS },
      (err, res) => {
        client.close();
        if (err) resolve(`gRPC ${grpc.status[err.code] ?? err.code}: ${err.details}`);
        else {
          const partial = otlpPartialSuccess(res ?? Buffer.alloc(0));
          resolve(partial.rejected > 0 ? `${partial.rejected} spans rejected: ${partial.message}` : undefined);
        }
      },
    );
  });
}

/** A GET as Grafana's backend sends it: to the URL's host (here its loopback address), TLS checked under `servername` against `ca` (none: the system's). */
function httpsGet(url: URL, address: string, ca: Buffer | undefined, servername: string, headers: Record<string, string>): Promise<HttpsReply> {
  const { host, port } = splitHostPort(address);
  return httpsExchange({
    host,
    port,
    path: url.pathname + url.search,
    headers: { ...headers, Host: url.host },
    servername,
    ...(ca ? { ca } : {}),
    timeout: TIMEOUT_MS,
  });
}
const refusedWhy = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e.message,
  );

/** The collector agent's exporters that reach a process of this run, as the agent would dial them. */
export function agentExporters(plan: Plan, pki: Pki) {
  const agent = plan.env.objects.find(
    (o) => o.kind === 'DaemonSet' && (o.spec.template.spec.containers ?? []).some((c: Any) => c.args?.some((a: string) => a.startsWith('--config='))),
  );
  if (!agent) return [];
  const { config, fileSource } = collectorConfig(plan.env.objects, agent);
  const exporters: string[] = config.service?.pipelines?.traces?.exporters ?? [];
  return exporters.flatMap((id) => {
    const e = config.exporters?.[id];
    const address = e?.endpoint ? resolveAddress(plan, e.endpoint)[0] : undefined;
    if (!address) return [];
    const tls = e.tls ?? {};
    expectThat(tls.insecure !== true, `agent exporter ${id} sends plaintext (tls.insecure) to ${e.endpoint}`);
    expectThat(tls.insecure_skip_verify !== true, `agent exporter ${id} does not check ${e.endpoint}'s certificate`);
    expectThat(tls.ca_file, `agent exporter ${id} names no tls.ca_file: it would check ${e.endpoint} against the system CAs, which never signed it`);
    const servername: string = tls.server_name_override || splitHostPort(e.endpoint).host;
    return [
      {
        id,
        endpoint: String(e.endpoint),
        address,
        servername,
        ca: secretContent(pki, fileSource(tls.ca_file)),
        headers: (e.headers ?? {}) as Record<string, string>,
      },
    ];
  });
}

/** A Tempo API path under a data source's URL, as Grafana appends it (after the URL's own path, if any). */
const under = (url: URL, path: string) => new URL(`${url.pathname.replace(/\/$/, '')}${path}`, url);

/** The rendered Tempo data sources that read this run's namespace, with what Grafana's backend would do with each. */
export function tempoDataSources(plan: Plan, pki: Pki) {
  const sources = plan.env.objects
    .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_datasource === '1')
    .flatMap((cm) => Object.values<string>(cm.data ?? {}).flatMap((t) => (parse(t)?.datasources ?? []) as Any[]))
    .filter((d) => d.type === 'tempo');
  return sources.flatMap((d) => {
    const url = new URL(d.url);
    const address = resolveAddress(plan, `${url.hostname}:${url.port || 443}`)[0];
    if (!address) return [];
    expectThat(url.protocol === 'https:', `data source "${d.name}" reads ${d.url}: plaintext against a TLS query-frontend`);
    const json = d.jsonData ?? {};
    const secure = d.secureJsonData ?? {};
    expectThat(json.tlsSkipVerify !== true, `data source "${d.name}" skips verifying the query-frontend's certificate`);
    expectThat(json.tlsAuthWithCACert === true, `data source "${d.name}" has no tlsAuthWithCACert: Grafana would check ${url.host} against the system CAs`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>(json)) {
      const m = /^httpHeaderName(\d+)$/.exec(k);
      if (m) headers[v] = String(secure[`httpHeaderValue${m[1]}`] ?? '');
    }
    // tls.caCertificate is committed after the first sync; until then the run's CA stands in for it (what that step pastes).
    const ca = secure.tlsCACert ? Buffer.from(String(secure.tlsCACert)) : pem(pki.ca);
    return [{ name: String(d.name), url, address, servername: String(json.serverName || url.hostname), ca, committedCa: Boolean(secure.tlsCACert), headers }];
  });
}

/**
 * A trace through the agent's rendered exporter (each one that reaches this run), then read back through
 * each rendered Tempo data source whose tenant header covers it; the echo endpoint through every one.
 * Each client is then refused under a name the certificate does not carry, and without the CA.
 */
export async function checkAgentAndGrafana(plan: Plan, pki: Pki, traceAs: (tenant: string | undefined) => TestTrace, readMs = 20_000): Promise<string> {
  const exporters = agentExporters(plan, pki);
  const sources = tempoDataSources(plan, pki);
  expectThat(exporters.length > 0, 'no exporter of the collector agent reaches this run (its endpoints resolve to no planned Service)');
  expectThat(sources.length > 0, 'no Tempo data source of Grafana reads this run (its URLs resolve to no planned Service)');
  const tenantOf = (h: Record<string, string>) => Object.entries(h).find(([k]) => k.toLowerCase() === 'x-scope-orgid')?.[1];
  const tenant = tenantOf(exporters[0]!.headers);
  const trace = traceAs(tenant);
  for (const e of exporters) {
    const t = { ...trace, tenant: tenantOf(e.headers) };
    const why = await otlpExport(e.address, e.ca, e.servername, t, e.headers);
    expectThat(why === undefined, `agent exporter ${e.id} (${e.endpoint}, checked as ${e.servername}): ${why}`);
    const wrong = await otlpExport(e.address, e.ca, `wrong.${e.servername}`, t, e.headers);
    expectThat(wrong && CERTIFICATE_ERROR.test(wrong), `agent exporter ${e.id} under a name the certificate lacks: ${wrong ?? 'accepted'}`);
    const noCa = await otlpExport(e.address, undefined, e.servername, t, e.headers);
    expectThat(noCa && CERTIFICATE_ERROR.test(noCa), `agent exporter ${e.id} with the system CAs only: ${noCa ?? 'accepted'}`);
  }
  let read = 0;
  for (const s of sources) {
    const echo = await httpsGet(under(s.url, '/api/echo'), s.address, s.ca, s.servername, s.headers);
    expectThat(echo.status === 200, `data source "${s.name}": /api/echo answered HTTP ${echo.status}`);
    const covers = (tenantOf(s.headers)?.split('|') ?? ([undefined] as Array<string | undefined>)).includes(tenant);
    if (covers) {
      const path = under(s.url, `/api/v2/traces/${trace.traceId}`);
      const want = JSON.stringify(spanIds(trace));
      let got = '';
      for (const deadline = Date.now() + readMs; got !== want && Date.now() < deadline; ) {
        const r = await httpsGet(path, s.address, s.ca, s.servername, { ...s.headers, Accept: 'application/json' });
        got =
          r.status === 200
            ? JSON.stringify(
                spansOf(JSON.parse(r.text))
                  .map((x) => x.spanId)
                  .sort(),
              )
            : `HTTP ${r.status}`;
        if (got !== want) await new Promise((r) => setTimeout(r, 500));
      }
      expectThat(got === want, `data source "${s.name}": trace ${trace.traceId} has spans ${got}, want ${want}`);
      read++;
    }
    const wrong = await refusedWhy(httpsGet(under(s.url, '/api/echo'), s.address, s.ca, `wrong.${s.servername}`, s.headers));
    expectThat(wrong && CERTIFICATE_ERROR.test(wrong), `data source "${s.name}" under a name the certificate lacks: ${wrong ?? 'accepted'}`);
    const noCa = await refusedWhy(httpsGet(under(s.url, '/api/echo'), s.address, undefined, s.servername, s.headers));
    expectThat(noCa && CERTIFICATE_ERROR.test(noCa), `data source "${s.name}" without tlsAuthWithCACert (system CAs): ${noCa ?? 'accepted'}`);
  }
  expectThat(read > 0, `no Tempo data source sends the agent's tenant (${tenant ?? 'none'}): its trace is readable by none`);
  const ca = sources.every((s) => s.committedCa) ? 'the committed tls.caCertificate' : "the run's CA standing in for tls.caCertificate (not committed yet)";
  return `agent ${exporters.map((e) => `${e.id} → ${e.endpoint} as ${e.servername}`).join(', ')}; Grafana ${sources.map((s) => `"${s.name}"`).join(', ')} → ${sources[0]!.url.host} as ${sources[0]!.servername} with ${ca}: trace read back by ${read}; each refused under a wrong name and without the CA`;
}
