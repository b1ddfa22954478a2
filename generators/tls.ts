// Encryption in transit (tls.enabled): the cert-manager objects that issue the stack's certificates, the
// Secret each component's certificate lands in, and where pods mount them. Every TLS server of the stack
// presents its component's certificate (tls.crt, tls.key); every client checks the peer against the CA
// (ca.crt) under a DNS name the certificate carries. Names are the Services (and, behind headless ones,
// the pods) a component is reached by: ring and DNS addresses are pod IPs, and no certificate has an IP.
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { EnvironmentSettings } from './environment/settings';
import type { KubeObject, ObjectOf } from './kubernetes/objects';
import { CA_BOOTSTRAP, COMPONENT_LABEL } from './kustomize/sync-waves';
import { CLUSTER_DOMAIN, objectName, stackLabels } from './stack';

/** A component's own certificate, key and CA: its Secret, mounted whole as a directory (never subPath, which the kubelet does not refresh). */
export const TLS_DIR = '/etc/tempo-tls';
/** The CA certificate alone, for clients that present no certificate (the collectors, tempo-vulture). */
export const CA_DIR = '/etc/tempo-ca';
export const TLS_FILES = { cert: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key`, ca: `${TLS_DIR}/ca.crt` } as const;
export const CA_FILE = `${CA_DIR}/ca.crt`;
export const TLS_VOLUME = 'tls';
export const CA_VOLUME = 'tls-ca';

/** The Secret cert-manager writes a component's certificate to (tls.crt, tls.key, ca.crt). */
export const tlsSecret = (component: string): string => `${objectName(component)}-tls`;
/** The namespace CA: a self-signed Issuer signs its certificate, a CA Issuer signs the components' with it. */
export const SELF_SIGNED_ISSUER = objectName('selfsigned');
export const CA_ISSUER = objectName('ca');
/** Holds the CA's private key: mounted by no pod (clients read ca.crt from a component's Secret). */
export const CA_SECRET = objectName('ca');
/** The CA lives ten years and keeps its key when renewed, so certificates it signed keep verifying. */
const CA_DURATION = '87600h';
const CA_RENEW_BEFORE = '8760h';
/** Minimum TLS version of every Tempo server and client (dskit spelling; the receivers spell it "1.2"). */
export const TLS_MIN_VERSION = 'VersionTLS12';

/** The four names of a Service: n, n.ns, n.ns.svc, n.ns.svc.cluster.local. */
export const serviceNames = (env: { namespace: string }, service: string): string[] => [
  service,
  `${service}.${env.namespace}`,
  `${service}.${env.namespace}.svc`,
  `${service}.${env.namespace}.svc.${CLUSTER_DOMAIN}`,
];
/** The fully qualified name clients verify a Service's certificate by (Tempo's tls_server_name). */
export const serverName = (env: { namespace: string }, service: string): string => `${service}.${env.namespace}.svc.${CLUSTER_DOMAIN}`;
/** Every pod behind a headless Service: <pod>.<service>.<ns>.svc[.cluster.local]. */
export const podNames = (env: { namespace: string }, service: string): string[] => [
  `*.${service}.${env.namespace}.svc`,
  `*.${service}.${env.namespace}.svc.${CLUSTER_DOMAIN}`,
];

const issuerRef = (env: EnvironmentSettings) =>
  env.tls.clusterIssuer
    ? { name: env.tls.clusterIssuer, kind: 'ClusterIssuer', group: 'cert-manager.io' }
    : { name: CA_ISSUER, kind: 'Issuer', group: 'cert-manager.io' };

/**
 * The certificate of one component, server and client at once (Tempo's components dial each other with
 * theirs: mutual TLS on gRPC). The key is new at every renewal (rotationPolicy Always).
 */
export function certificate(env: EnvironmentSettings, component: string, dnsNames: string[]): ObjectOf<'Certificate'> {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: objectName(component), labels: stackLabels(env.tempo.tag) },
    spec: {
      secretName: tlsSecret(component),
      dnsNames: [...new Set(dnsNames)],
      duration: env.tls.duration.text,
      renewBefore: env.tls.renewBefore.text,
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      issuerRef: issuerRef(env),
    },
  };
}

/** The namespace CA, bootstrapped by cert-manager (none when the environment names a ClusterIssuer or TLS is off). */
export function issuerObjects(env: EnvironmentSettings): KubeObject[] {
  if (!env.tls.enabled || env.tls.clusterIssuer) return [];
  const labels = stackLabels(env.tempo.tag);
  // The bootstrap is labelled for its own, earlier sync wave (kustomize/sync-waves.ts).
  const bootstrap = { ...labels, [COMPONENT_LABEL]: CA_BOOTSTRAP };
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: SELF_SIGNED_ISSUER, labels: bootstrap }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: CA_SECRET, labels: bootstrap },
      spec: {
        isCA: true,
        commonName: `${objectName('ca')} ${env.name}`,
        secretName: CA_SECRET,
        duration: CA_DURATION,
        renewBefore: CA_RENEW_BEFORE,
        // Never: a renewed CA keeps its key, so clients holding the old ca.crt still verify new certificates.
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
        issuerRef: { name: SELF_SIGNED_ISSUER, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: CA_ISSUER, labels }, spec: { ca: { secretName: CA_SECRET } } },
  ];
}

/** A component's Secret as a volume, readable by the pod's group (fsGroup) only. */
export const tlsVolume = (component: string): IVolume => ({ name: TLS_VOLUME, secret: { secretName: tlsSecret(component), defaultMode: 0o440 } });
export const tlsMount: IVolumeMount = { name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true };
/** Only the ca.crt item of a component's Secret: the client never sees that component's key. */
export const caVolume = (component: string): IVolume => ({
  name: CA_VOLUME,
  secret: { secretName: tlsSecret(component), items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
});
export const caMount: IVolumeMount = { name: CA_VOLUME, mountPath: CA_DIR, readOnly: true };

/**
 * A component's certificate names every Service it renders (and the pods behind a headless one), the
 * name Prometheus checks its scrapes under (servicemonitors.ts: a component whose Services are all
 * per zone, the live-store, has no Service of that name), and `extra`.
 */
export function componentCertificate(env: EnvironmentSettings, name: string, objects: KubeObject[], extra: string[] = []): ObjectOf<'Certificate'> {
  const services = objects.filter((o): o is ObjectOf<'Service'> => o.kind === 'Service');
  const names = services.flatMap((s) => [...serviceNames(env, s.metadata.name), ...(s.spec?.clusterIP === 'None' ? podNames(env, s.metadata.name) : [])]);
  return certificate(env, name, [...names, serverName(env, objectName(name)), ...extra]);
}
