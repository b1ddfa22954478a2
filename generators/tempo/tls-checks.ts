// Half-TLS is refused: a server with TLS and a client without (or the reverse) fails every connection
// between them, and a stack that encrypts some connections but not others is not what tls.enabled says.
// Read from the Tempo config and the objects around it, like the other wiring rules (checks.ts): every
// server of Tempo and its clients, memberlist, the receivers and their senders (collectors, vulture),
// memcached, the probes and the scrapes; every certificate file a pod is told to read is on a Secret it
// mounts, and every name a client checks is in the certificate of the pods it dials.
import { parse } from 'yaml';
import type { Cluster, PodTemplate } from '../kubernetes/cluster';
import { allContainers, matchesMap, namespaceOf } from '../kubernetes/cluster';
import { selectorLabels } from '../stack';
import { TEMPO_TARGETS } from '../components/index';

// biome-ignore lint/suspicious/noExplicitAny: a parsed config is untyped; each rule checks what it reads
type Config = Record<string, any>;
type Add = (path: Array<string | number>, message: string, field?: string) => void;

const FIELD = 'tls.enabled';
/** The dskit clients of Tempo's own gRPC servers, per version (a 3.0 config has ingest.kafka: no ingesters, generators read Kafka). */
const GRPC_CLIENTS_2: Array<{ path: string[]; what: string }> = [
  { path: ['ingester_client', 'grpc_client_config'], what: 'distributors and queriers dial the ingesters' },
  { path: ['metrics_generator_client', 'grpc_client_config'], what: 'distributors and queriers dial the metrics-generators' },
];
const GRPC_CLIENTS_3: Array<{ path: string[]; what: string }> = [
  { path: ['live_store_client', 'grpc_client_config'], what: 'queriers dial the live-stores' },
  { path: ['backend_scheduler_client', 'grpc_client_config'], what: 'backend-workers dial the backend-scheduler' },
];
const grpcClients = (config: Config) => [
  ...(config.ingest?.kafka ? GRPC_CLIENTS_3 : GRPC_CLIENTS_2),
  { path: ['querier', 'frontend_worker', 'grpc_client_config'], what: 'queriers dial the query-frontends' },
];
const at = (c: Config, path: string[]): Config | undefined => path.reduce<Config | undefined>((o, k) => o?.[k], c);
const REQUIRES_CERT = ['RequireAndVerifyClientCert', 'RequireAnyClientCert'];

export function tlsWiringProblems(config: Config, cluster: Cluster, add: Add): void {
  const grpcServer = config.server?.grpc_tls_config;
  const on = Boolean(grpcServer?.cert_file);
  const state = on ? 'TLS' : 'plaintext';
  const mismatch = (path: Array<string | number>, has: boolean, what: string) => {
    if (has !== on)
      add(
        path,
        `${has ? 'TLS' : 'plaintext'}, but server.grpc_tls_config makes the stack ${state}: ${what} over one and answer over the other; expected all TLS or none`,
        FIELD,
      );
  };

  mismatch(['server', 'http_tls_config'], Boolean(config.server?.http_tls_config?.cert_file), 'probes, Prometheus, Grafana and vulture would speak');
  mismatch(['memberlist', 'tls_enabled'], config.memberlist?.tls_enabled === true, 'ring members would gossip');
  for (const client of grpcClients(config)) {
    const c = at(config, client.path);
    mismatch([...client.path, 'tls_enabled'], c?.tls_enabled === true, client.what);
    if (c?.tls_enabled !== true) continue;
    clientFiles(c, client.path, add);
    if (REQUIRES_CERT.includes(grpcServer?.client_auth_type) && !(c.tls_cert_path && c.tls_key_path))
      add(
        [...client.path, 'tls_cert_path'],
        `is not set, but the gRPC servers require a client certificate (${grpcServer.client_auth_type}); expected the pod's certificate and key`,
      );
  }
  if (config.memberlist?.tls_enabled === true) clientFiles(config.memberlist, ['memberlist'], add);
  for (const [path, receiver] of receivers(config)) mismatch([...path, 'tls'], Boolean(receiver?.tls?.cert_file), 'senders would push');

  ((config.cache?.caches ?? []) as Config[]).forEach((cache, i) => {
    if (!cache?.memcached) return;
    const path = ['cache', 'caches', i, 'memcached', 'tls_enabled'];
    mismatch(path, cache.memcached.tls_enabled === true, 'Tempo would reach memcached');
    const served = cluster.pods.filter((p) => p.owner.metadata.name.endsWith('-memcached')).some((p) => p.spec.containers.some((c) => c.args?.includes('-Z')));
    if (cluster.pods.some((p) => p.owner.metadata.name.endsWith('-memcached')) && served !== (cache.memcached.tls_enabled === true))
      add(
        path,
        `is ${cache.memcached.tls_enabled === true}, but memcached ${served ? 'serves TLS (-Z)' : 'serves plaintext (no -Z)'}: every cache call would fail; expected both the same`,
        FIELD,
      );
  });

  const tempoPods = TEMPO_TARGETS.flatMap((t) => cluster.pods.filter((p) => matchesMap(selectorLabels(t), p.labels)));
  for (const pod of tempoPods) {
    for (const file of certificateFiles(config)) {
      const why = unmounted(pod, file);
      if (why) add(file.path, `${file.value}: ${why} in ${pod.owner.kind}/${pod.owner.metadata.name}`);
    }
    for (const c of pod.spec.containers) {
      const probe = c.readinessProbe?.httpGet;
      if (probe && (probe.port === 'http' || probe.port === config.server?.http_listen_port) && (probe.scheme === 'HTTPS') !== on)
        add(
          ['server', 'http_tls_config'],
          `${state}, but ${pod.owner.kind}/${pod.owner.metadata.name}'s readiness probe uses ${probe.scheme ?? 'HTTP'}: it would never pass`,
          FIELD,
        );
    }
  }
  for (const sm of cluster.kind('ServiceMonitor').filter((s) => TEMPO_TARGETS.some((t) => matchesMap(selectorLabels(t), s.spec.selector.matchLabels ?? {})))) {
    for (const e of sm.spec.endpoints ?? [])
      if ((e.scheme?.toLowerCase() === 'https') !== on)
        add(
          ['server', 'http_tls_config'],
          `${state}, but ServiceMonitor/${sm.metadata.name} scrapes with ${e.scheme ?? 'http'}: Prometheus would get no metrics`,
          FIELD,
        );
  }
  serverNameProblems(config, cluster, add);
  senderProblems(config, cluster, on, add);
}

function receivers(config: Config): Array<[Array<string | number>, Config | undefined]> {
  const out: Array<[Array<string | number>, Config | undefined]> = [];
  for (const [name, r] of Object.entries<Config | undefined>(config.distributor?.receivers ?? {})) {
    if (name === 'zipkin') out.push([['distributor', 'receivers', name], r]);
    else for (const [p, s] of Object.entries<Config | undefined>(r?.protocols ?? {})) out.push([['distributor', 'receivers', name, 'protocols', p], s]);
  }
  return out;
}

function clientFiles(c: Config, path: string[], add: Add): void {
  if (!c.tls_ca_path)
    add([...path, 'tls_ca_path'], 'is not set: the client would check servers against the system CAs, which never signed them; expected the CA file');
  if (!c.tls_server_name)
    add([...path, 'tls_server_name'], 'is not set: clients dial pod IPs, and no certificate carries an IP; expected the DNS name the certificate carries');
}

/** Every certificate, key and CA file the config names. */
function certificateFiles(config: Config): Array<{ path: Array<string | number>; value: string }> {
  const out: Array<{ path: Array<string | number>; value: string }> = [];
  const walk = (node: unknown, path: Array<string | number>) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, [...path, i]);
    } else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    else if (typeof node === 'string' && /^(tls_(cert|key|ca)_path|cert_file|key_file|client_ca_file|ca_file)$/.test(String(path.at(-1))))
      out.push({ path, value: node });
  };
  walk(config, []);
  return out;
}

/** Why a pod could not read `file`: no Secret volume is mounted there, or the mounted Secret does not hold that key. */
function unmounted(pod: PodTemplate, file: { value: string }): string | undefined {
  const dir = file.value.slice(0, file.value.lastIndexOf('/'));
  const key = file.value.slice(file.value.lastIndexOf('/') + 1);
  const mounts = allContainers(pod.spec).flatMap((c) => c.volumeMounts ?? []);
  const mount = mounts.find((m) => m.mountPath === dir);
  const secret = pod.spec.volumes?.find((v) => v.name === mount?.name)?.secret;
  if (!secret) return `no Secret is mounted at ${dir}`;
  if (secret.items && !secret.items.some((i) => i.path === key)) return `the Secret ${secret.secretName} mounted at ${dir} projects no ${key}`;
  return undefined;
}

/** Each tls_server_name is a name in the certificate of every pod the client dials (ring members, or the pods of the Service it names). */
function serverNameProblems(config: Config, cluster: Cluster, add: Add): void {
  const target = (t: string) => cluster.pods.filter((p) => matchesMap(selectorLabels(t), p.labels));
  const behind = (address: unknown) => {
    const host = String(address ?? '')
      .replace(/^dns(srv)?\+/, '')
      .split(':')[0]!;
    const service = cluster.kind('Service').find((s) => host === s.metadata.name || host.startsWith(`${s.metadata.name}.`));
    return service ? cluster.podsBehind(service) : [];
  };
  const clients: Array<[string[], Config | undefined, PodTemplate[]]> = [
    [['ingester_client', 'grpc_client_config'], config.ingester_client?.grpc_client_config, target('ingester')],
    [['metrics_generator_client', 'grpc_client_config'], config.metrics_generator_client?.grpc_client_config, target('metrics-generator')],
    [['live_store_client', 'grpc_client_config'], config.live_store_client?.grpc_client_config, target('live-store')],
    [
      ['backend_scheduler_client', 'grpc_client_config'],
      config.backend_scheduler_client?.grpc_client_config,
      behind(config.backend_worker?.backend_scheduler_addr),
    ],
    [
      ['querier', 'frontend_worker', 'grpc_client_config'],
      config.querier?.frontend_worker?.grpc_client_config,
      behind(config.querier?.frontend_worker?.frontend_address),
    ],
    [['memberlist'], config.memberlist, behind(config.memberlist?.join_members?.[0])],
    ...((config.cache?.caches ?? []) as Config[]).map((c, i): [string[], Config | undefined, PodTemplate[]] => [
      ['cache', 'caches', String(i), 'memcached'],
      c?.memcached,
      behind(String(c?.memcached?.addresses ?? '').split(',')[0]),
    ]),
  ];
  for (const [path, client, pods] of clients) {
    const name = client?.tls_enabled === true ? client.tls_server_name : undefined;
    if (typeof name !== 'string' || !name) continue;
    for (const pod of pods) {
      const file = String(client?.tls_ca_path ?? '');
      const dir = file.slice(0, file.lastIndexOf('/'));
      const mounted = allContainers(pod.spec)
        .flatMap((c) => c.volumeMounts ?? [])
        .find((m) => m.mountPath === dir);
      const secret = pod.spec.volumes?.find((v) => v.name === mounted?.name)?.secret?.secretName;
      const certificate = cluster.kind('Certificate').find((c) => c.spec?.secretName === secret && namespaceOf(c) === pod.namespace);
      if (!certificate) {
        add(
          [...path, 'tls_server_name'],
          `"${name}": ${pod.owner.kind}/${pod.owner.metadata.name} serves no certificate of this tree from ${dir || 'its TLS directory'}`,
        );
        continue;
      }
      const covers = (d: string) => d === name || (d.startsWith('*.') && name.endsWith(d.slice(1)) && !name.slice(0, name.length - d.length + 1).includes('.'));
      if (!(certificate.spec?.dnsNames ?? []).some(covers))
        add(
          [...path, 'tls_server_name'],
          `"${name}" is not among the dnsNames of Certificate/${certificate.metadata.name}, which ${pod.owner.kind}/${pod.owner.metadata.name} serves: the handshake would fail`,
        );
    }
  }
}

/** The senders outside Tempo: collector exporters and tempo-vulture speak to the receivers and the HTTP port as they serve. */
function senderProblems(config: Config, cluster: Cluster, on: boolean, add: Add): void {
  const receiverTls = receivers(config).some(([, r]) => r?.tls?.cert_file);
  for (const cm of cluster.kind('ConfigMap')) {
    for (const [file, text] of Object.entries(cm.data ?? {})) {
      if (!/^exporters:/m.test(text)) continue;
      const exporters: Config = (parse(text) as Config | null)?.exporters ?? {};
      for (const [id, e] of Object.entries<Config>(exporters)) {
        const tls = e?.tls ?? e?.protocol?.otlp?.tls;
        if (!tls || !String(e?.endpoint ?? e?.resolver?.dns?.hostname ?? '').includes('-distributor.') || (tls.insecure === true) !== receiverTls) continue;
        add(
          ['distributor', 'receivers', 'otlp', 'protocols', 'grpc', 'tls'],
          `${receiverTls ? 'TLS' : 'plaintext'}, but ConfigMap/${cm.metadata.name} (${file}) exporter ${id} sends ${tls.insecure === true ? 'plaintext' : 'TLS'}: its spans would be refused`,
          FIELD,
        );
      }
    }
  }
  for (const pod of cluster.pods) {
    for (const c of pod.spec.containers) {
      const query = c.args?.find((a) => a.startsWith('-tempo-query-url='));
      if (query?.includes('://') && query.startsWith('-tempo-query-url=https') !== on)
        add(
          ['server', 'http_tls_config'],
          `${on ? 'TLS' : 'plaintext'}, but ${pod.owner.kind}/${pod.owner.metadata.name} queries ${query.slice(17)}: every read would fail`,
          FIELD,
        );
    }
  }
}
