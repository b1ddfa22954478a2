// Encryption in transit (tls.enabled): the certificates and issuers cert-manager gets, what every pod
// mounts and presents, and the validation that refuses half-TLS. The real handshakes are proven by the
// loopback e2e (tests/e2e/tls.ts); these hold the rendered objects to what it proved.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironment, mergeEnvironment } from '../generators/environment/load';
import { tlsProblems } from '../generators/environment/tls';
import { Duration } from '../generators/environment/units';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { renderEnvironment } from '../generators/render';
import { environmentNames } from '../generators/repository';
import { tempoProblems } from '../generators/tempo/checks';
import { CA_SECRET, TLS_DIR, serverName as serverNameIn } from '../generators/tls';
import { compareObjects } from '../scripts/diff';
import { formatText } from '../scripts/lib/diff-format';
import { ROOT } from './helpers/kustomize';
import type { Any } from './helpers/objects';

const serverName = (service: string) => serverNameIn({ namespace: 'observability' }, service);

const prod = loadEnvironment('overlays/prod/environment.yaml', 'prod', undefined, ROOT);
const rendered = renderEnvironment(prod);
const objects = rendered.objects as Any[];
const of = (kind: string) => objects.filter((o) => o.kind === kind);
const TEMPO = ['distributor', 'ingester', 'query-frontend', 'querier', 'compactor', 'metrics-generator'];

/** Problems after `edit` changed prod's rendered config or objects. */
function problemsAfter(edit: (config: Any, objects: Any[]) => void): string[] {
  const r = structuredClone(rendered);
  edit(r.tempoConfig, r.objects);
  return tempoProblems(r.tempoConfig, r.overrides, r.objects).map((p) => `${p.path}: ${p.message}`);
}

describe('certificates (prod: a namespace CA bootstrapped by cert-manager)', () => {
  it('a self-signed Issuer signs the CA, which keeps its key at renewal; a CA Issuer signs the components', () => {
    const issuers = of('Issuer');
    expect(issuers.map((i) => [i.metadata.name, Object.keys(i.spec)[0]])).toEqual([
      ['tempo-stack-selfsigned', 'selfSigned'],
      ['tempo-stack-ca', 'ca'],
    ]);
    const ca = of('Certificate').find((c) => c.metadata.name === CA_SECRET);
    expect(ca.spec).toMatchObject({
      isCA: true,
      secretName: CA_SECRET,
      privateKey: { rotationPolicy: 'Never' },
      issuerRef: { name: 'tempo-stack-selfsigned' },
    });
  });

  it('every Tempo component, memcached and (when on) the gateway get a certificate for server and client auth, renewed before expiry', () => {
    const leaves = of('Certificate').filter((c) => c.metadata.name !== CA_SECRET);
    expect(leaves.map((c) => c.metadata.name.replace('tempo-stack-', '')).sort()).toEqual([...TEMPO, 'memcached'].sort());
    for (const c of leaves) {
      expect(c.spec.usages).toEqual(['digital signature', 'key encipherment', 'server auth', 'client auth']);
      expect(c.spec.issuerRef).toEqual({ name: 'tempo-stack-ca', kind: 'Issuer', group: 'cert-manager.io' });
      expect(Duration.parse(c.spec.renewBefore).seconds).toBeLessThan(Duration.parse(c.spec.duration).seconds);
    }
    const gateway = renderEnvironment(mergeEnvironment('x', { ...identity(), sampling: { tail: { enabled: true } } }));
    expect(gateway.objects.some((o) => o.kind === 'Certificate' && o.metadata.name === 'tempo-stack-gateway')).toBe(true);
  });

  it('names every Service a component is reached by, the pods behind headless ones, and the gossip ring for members', () => {
    const names = (c: string) => of('Certificate').find((x) => x.metadata.name === `tempo-stack-${c}`).spec.dnsNames as string[];
    expect(names('query-frontend')).toEqual(
      expect.arrayContaining([serverName('tempo-stack-query-frontend'), serverName('tempo-stack-query-frontend-discovery')]),
    );
    expect(names('ingester')).toEqual(
      expect.arrayContaining(['*.tempo-stack-ingester.observability.svc.cluster.local', serverName('tempo-stack-gossip-ring')]),
    );
    expect(names('query-frontend')).not.toContain(serverName('tempo-stack-gossip-ring'));
    expect(names('distributor')).toEqual(expect.arrayContaining(['tempo-stack-distributor', 'tempo-stack-distributor.observability']));
  });

  it('no pod mounts the CA Secret (it holds the CA key); clients that present no certificate mount only ca.crt', () => {
    for (const w of objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
      for (const v of w.spec.template.spec.volumes ?? []) {
        expect(v.secret?.secretName, w.metadata.name).not.toBe(CA_SECRET);
        if (v.name === 'tls-ca') expect(v.secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
      }
    }
  });

  it('Tempo and memcached pods mount their own Secret at one path and roll when it is renewed (Reloader)', () => {
    for (const c of [...TEMPO, 'memcached']) {
      // Zone-aware ingesters: any zone's StatefulSet stands for the component.
      const w = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.spec.template.metadata.labels['app.kubernetes.io/component'] === c);
      expect(w.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: `tempo-stack-${c}-tls` }) }));
      expect(w.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
      expect(w.metadata.annotations['secret.reloader.stakater.com/reload'].split(',')).toContain(`tempo-stack-${c}-tls`);
    }
  });

  it('in every environment, every workload that mounts a certificate with its key names that Secret for Reloader', () => {
    for (const name of environmentNames(ROOT)) {
      const all = renderEnvironment(loadEnvironment(`overlays/${name}/environment.yaml`, name, undefined, ROOT)).objects as Any[];
      const secrets = new Set(all.filter((o) => o.kind === 'Certificate' && !o.spec.isCA).map((o) => o.spec.secretName));
      const mounts = all
        .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
        .flatMap((w) =>
          (w.spec.template.spec.volumes ?? [])
            .filter((v: Any) => secrets.has(v.secret?.secretName) && !v.secret.items)
            .map((v: Any) => ({ w, secret: v.secret.secretName })),
        );
      expect(mounts.length, name).toBeGreaterThan(0);
      for (const { w, secret } of mounts)
        expect(String(w.metadata.annotations?.['secret.reloader.stakater.com/reload'] ?? '').split(','), `${name}: ${w.kind}/${w.metadata.name}`).toContain(
          secret,
        );
    }
  });

  it('a ClusterIssuer replaces the namespace CA', () => {
    const env = mergeEnvironment('x', { ...identity(), tls: { clusterIssuer: 'platform-ca' } });
    const r = renderEnvironment(env).objects as Any[];
    expect(r.filter((o) => o.kind === 'Issuer')).toEqual([]);
    for (const c of r.filter((o) => o.kind === 'Certificate'))
      expect(c.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    // Held to cert-manager's strict schema, like the overlays' objects.
    const validator = new KubernetesValidator();
    expect(r.filter((o) => o.kind === 'Certificate').flatMap((o) => validator.validate(o, '1.32'))).toEqual([]);
    const newer = structuredClone(r.find((o) => o.kind === 'Certificate'));
    newer.spec.renewBeforePercentage = 33; // cert-manager >= 1.15: newer than the models the schema is made from
    expect(validator.validate(newer, '1.32').map((p) => p.path)).toEqual(['spec.renewBeforePercentage']);
  });

  it('with tls.enabled false nothing of it is rendered', () => {
    const env = mergeEnvironment('x', { ...identity(), tls: { enabled: false } });
    const r = renderEnvironment(env);
    expect(r.objects.filter((o) => ['Certificate', 'Issuer'].includes(o.kind))).toEqual([]);
    expect(JSON.stringify(r.tempoConfig)).not.toMatch(/tls/);
  });
});

describe('scrapes and Grafana', () => {
  it('Prometheus scrapes Tempo over https, checking the CA under the Service name; the other exporters stay http', () => {
    for (const sm of of('ServiceMonitor')) {
      const c = sm.metadata.name.replace('tempo-stack-', '');
      const e = sm.spec.endpoints[0];
      if (TEMPO.includes(c)) {
        expect(e.scheme).toBe('https');
        expect(e.tlsConfig).toEqual({ ca: { secret: { name: `tempo-stack-${c}-tls`, key: 'ca.crt' } }, serverName: serverName(`tempo-stack-${c}`) });
      } else expect(e.scheme).toBeUndefined();
    }
  });

  it('every TLS scrape checks a name its certificate holds, in every environment (dev: the live-store has per-zone Services only)', () => {
    for (const name of environmentNames(ROOT)) {
      const env = loadEnvironment(`overlays/${name}/environment.yaml`, name, undefined, ROOT);
      const all = renderEnvironment(env).objects as Any[];
      for (const sm of all.filter((o) => o.kind === 'ServiceMonitor')) {
        for (const e of sm.spec.endpoints.filter((x: Any) => x.tlsConfig)) {
          const cert = all.find((o) => o.kind === 'Certificate' && o.spec.secretName === e.tlsConfig.ca.secret.name);
          expect(cert, `${name}: ${sm.metadata.name} reads the CA of Secret ${e.tlsConfig.ca.secret.name}, which no Certificate writes`).toBeDefined();
          expect(cert.spec.dnsNames, `${name}: ${sm.metadata.name} checks its scrapes under ${e.tlsConfig.serverName}`).toContain(e.tlsConfig.serverName);
        }
      }
    }
  });

  it('the Tempo data source trusts the committed CA', () => {
    const ca = certificateAuthority();
    const env = mergeEnvironment('x', { ...identity(), tls: { caCertificate: ca } });
    const cm = renderEnvironment(env).objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tempo-stack-grafana-datasources') as Any;
    const text = Object.values<string>(cm.data)[0]!;
    expect(text).toContain('url: https://tempo-stack-query-frontend.observability.svc.cluster.local:3100');
    expect(text).toContain('tlsAuthWithCACert: true');
    expect(text).toContain('BEGIN CERTIFICATE');
  });
});

describe('half-TLS is refused', () => {
  it('a gRPC client without TLS against TLS servers', () => {
    expect(problemsAfter((c) => delete c.ingester_client)).toEqual([
      expect.stringMatching(/^ingester_client\.grpc_client_config\.tls_enabled: plaintext, but server\.grpc_tls_config makes the stack TLS/),
    ]);
  });

  it('memberlist, a receiver or memcached left plaintext', () => {
    expect(problemsAfter((c) => (c.memberlist.tls_enabled = false))[0]).toMatch(/^memberlist\.tls_enabled: plaintext, but/);
    expect(problemsAfter((c) => delete c.distributor.receivers.zipkin.tls)[0]).toMatch(/^distributor\.receivers\.zipkin\.tls: plaintext, but/);
    expect(problemsAfter((c) => (c.cache.caches[0].memcached.tls_enabled = false))).toEqual([
      expect.stringMatching(/^cache\.caches\[0\]\.memcached\.tls_enabled: plaintext, but/),
      expect.stringMatching(/^cache\.caches\[0\]\.memcached\.tls_enabled: is false, but memcached serves TLS \(-Z\)/),
    ]);
  });

  it('a server name the certificate does not carry, a client without one, a file no Secret holds', () => {
    const wrongName = problemsAfter((c) => (c.ingester_client.grpc_client_config.tls_server_name = 'tempo-stack-querier.observability.svc.cluster.local'));
    // One problem per ingester StatefulSet (one per zone when zone-aware).
    expect(wrongName.length).toBeGreaterThan(0);
    for (const p of wrongName)
      expect(p).toMatch(
        /"tempo-stack-querier.observability.svc.cluster.local" is not among the dnsNames of Certificate\/tempo-stack-ingester, which StatefulSet\/tempo-stack-ingester(-zone-[a-z])? serves/,
      );
    expect(problemsAfter((c) => delete c.querier.frontend_worker.grpc_client_config.tls_server_name)[0]).toMatch(
      /tls_server_name: is not set: clients dial pod IPs/,
    );
    expect(problemsAfter((c) => (c.server.grpc_tls_config.cert_file = '/etc/tls/tls.crt'))[0]).toMatch(
      /\/etc\/tls\/tls\.crt: no Secret is mounted at \/etc\/tls/,
    );
  });

  it('an HTTP probe, a scrape or a sender that speaks the other protocol', () => {
    const probe = problemsAfter(
      (_c, o) =>
        delete o.find((x) => x.metadata.name === 'tempo-stack-querier' && x.kind === 'Deployment').spec.template.spec.containers[0].readinessProbe.httpGet
          .scheme,
    );
    expect(probe).toEqual([expect.stringMatching(/Deployment\/tempo-stack-querier's readiness probe uses HTTP: it would never pass/)]);
    const scrape = problemsAfter(
      (_c, o) => delete o.find((x) => x.kind === 'ServiceMonitor' && x.metadata.name === 'tempo-stack-ingester').spec.endpoints[0].scheme,
    );
    expect(scrape).toEqual([expect.stringMatching(/ServiceMonitor\/tempo-stack-ingester scrapes with http/)]);
    const vulture = problemsAfter((_c, o) => {
      const args: string[] = o.find((x) => x.metadata.name === 'tempo-stack-vulture' && x.kind === 'Deployment').spec.template.spec.containers[0].args;
      args.splice(2, 1, '-tempo-query-url=http://tempo-stack-query-frontend.observability.svc.cluster.local:3200');
    });
    expect(vulture).toEqual([expect.stringMatching(/Deployment\/tempo-stack-vulture queries http:/)]);
  });

  it('a collector exporting plaintext to TLS receivers (in the kustomize output, where its config is a ConfigMap)', () => {
    const agent = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'tempo-stack-collector-abc' },
      data: {
        'collector.yaml': 'exporters:\n  otlp_grpc:\n    endpoint: tempo-stack-distributor.observability.svc.cluster.local:4317\n    tls: {insecure: true}\n',
      },
    };
    expect(problemsAfter((_c, o) => o.push(agent))).toEqual([
      expect.stringMatching(/ConfigMap\/tempo-stack-collector-abc \(collector.yaml\) exporter otlp_grpc sends plaintext/),
    ]);
  });
});

describe('environment checks', () => {
  const base = { duration: Duration.parse('2160h'), renewBefore: Duration.parse('720h'), caCertificate: '' };
  it('a renewal margin shorter than the lifetime, a lifetime of an hour at least', () => {
    expect(tlsProblems({ ...base, renewBefore: Duration.parse('2160h') })[0]!.message).toMatch(/is not below tls.duration/);
    expect(tlsProblems({ ...base, duration: Duration.parse('30m'), renewBefore: Duration.parse('10m') })[0]!.message).toMatch(/below cert-manager's minimum/);
  });
  it('a CA certificate that is one, readable and current', () => {
    expect(tlsProblems({ ...base, caCertificate: certificateAuthority() })).toEqual([]);
    expect(tlsProblems({ ...base, caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })[0]!.message).toMatch(
      /not a readable certificate/,
    );
    expect(tlsProblems({ ...base, caCertificate: certificateAuthority(false) })[0]!.message).toMatch(/is not a CA certificate/);
    expect(tlsProblems({ ...base, caCertificate: certificateAuthority() }, Date.now() + 3 * 86400_000)[0]!.message).toMatch(/expired on/);
  });
});

describe('npm run diff', () => {
  it('says plainly when an environment turns TLS off', () => {
    const before = new Map([
      ['Certificate/tempo-stack-ingester', 'a'],
      ['Deployment/x', 'b'],
    ]);
    const d = compareObjects('prod', before, new Map([['Deployment/x', 'c']]));
    expect(d.notices).toEqual([expect.stringMatching(/^TLS in transit turned OFF/)]);
    expect(formatText({ base: { label: 'main', commit: 'a'.repeat(40) }, environments: [d] })).toMatch(/prod +!! TLS in transit turned OFF/);
    expect(compareObjects('prod', before, before).notices).toBeUndefined();
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'tls-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
/** A throw-away self-signed certificate (a CA unless `ca` is false), valid for a day. */
function certificateAuthority(ca = true): string {
  const file = join(tmp, `${ca}.pem`);
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
      join(tmp, `${ca}.key`),
      '-out',
      file,
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
      '-addext',
      `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`,
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return readFileSync(file, 'utf8');
}
function identity(): Record<string, unknown> {
  return {
    cluster: { name: 'x', oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' },
    aws: { region: 'us-east-1', accountId: '123456789012' },
    s3: { bucket: 'tempo-traces-x' },
  };
}
