// The certificates of a TLS run, made with openssl as cert-manager would issue them in the cluster: one CA,
// and for every rendered Certificate a key and a certificate with exactly its dnsNames (no IP), signed by
// that CA. Each process gets them where its pod mounts the Secret (tls.crt, tls.key, ca.crt, or the items the
// volume projects). Also a client certificate of the CA (the e2e's own mutual-TLS probes) and one of
// another CA (must be refused everywhere).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannedProcess } from './plan';
import type { Any } from './rendered';

export interface KeyPair {
  crt: string;
  key: string;
}
export interface Pki {
  dir: string;
  ca: string;
  /** Secret name -> its certificate and key (as cert-manager writes it). */
  secrets: Map<string, KeyPair>;
  /** Signed by the CA: what the e2e presents where a client certificate is required. */
  client: KeyPair;
  /** Signed by another CA: refused by every port that checks client certificates. */
  rogue: KeyPair & { ca: string };
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
const ecKey = (file: string, cwd: string) => openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file], cwd);

function authority(dir: string, name: string): KeyPair {
  ecKey(`${name}.key`, dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-sha256',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return { crt: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

function leaf(dir: string, name: string, dnsNames: string[], ca: KeyPair): KeyPair {
  ecKey(`${name}.key`, dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`], dir);
  // The usages cert-manager is asked for: digital signature, key encipherment, server auth, client auth.
  const ext = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth'];
  writeFileSync(join(dir, `${name}.ext`), `${[...ext, `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}`].join('\n')}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.crt,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return { crt: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/**
 * `extraNames` adds names to one Secret's certificate, each with its reason at the call site (vulture's
 * queries name the query-frontend by URL, and on loopback that URL's host is localhost).
 */
export function makePki(dir: string, objects: Any[], extraNames: Record<string, string[]> = {}): Pki {
  mkdirSync(dir, { recursive: true });
  const ca = authority(dir, 'ca');
  const secrets = new Map<string, KeyPair>();
  for (const c of objects.filter((o) => o.kind === 'Certificate' && !o.spec.isCA)) {
    const names: string[] = [...(c.spec.dnsNames ?? []), ...(extraNames[c.spec.secretName] ?? [])];
    secrets.set(c.spec.secretName, leaf(dir, c.metadata.name, names, ca));
  }
  const rogueCa = authority(dir, 'rogue-ca');
  return {
    dir,
    ca: ca.crt,
    secrets,
    client: leaf(dir, 'e2e-client', ['tempo-e2e-client'], ca),
    rogue: { ...leaf(dir, 'rogue', ['tempo-stack-distributor.observability.svc.cluster.local'], rogueCa), ca: rogueCa.crt },
  };
}

/** A renewal as cert-manager makes it (rotationPolicy Always): a new key and certificate, same names, same CA. */
export const reissue = (pki: Pki, name: string, dnsNames: string[]): KeyPair => leaf(pki.dir, name, dnsNames, { crt: pki.ca, key: join(pki.dir, 'ca.key') });

/** Writes each Secret a process's pod mounts into the directory standing in for that mount. */
export function mountSecrets(p: PlannedProcess, pki: Pki): void {
  for (const m of p.workload.secretMounts) {
    const pair = pki.secrets.get(m.secretName);
    if (!pair) throw new Error(`${p.id}: mounts Secret ${m.secretName}, which no rendered Certificate writes`);
    const files: Record<string, string> = { 'tls.crt': pair.crt, 'tls.key': pair.key, 'ca.crt': pki.ca };
    const target = join(p.dir, m.mountPath);
    mkdirSync(target, { recursive: true });
    for (const { key, path } of m.items ?? Object.keys(files).map((k) => ({ key: k, path: k }))) {
      if (!files[key]) throw new Error(`${p.id}: projects key ${key} of ${m.secretName}, which cert-manager does not write`);
      copyFileSync(files[key], join(target, path));
      chmodSync(join(target, path), 0o644); // throw-away keys; memcached reads them after dropping root
    }
  }
}

export const pem = (file: string): Buffer => readFileSync(file);

/** Where a key of a certificate Secret is in a run (only ca.crt is read outside the pods: scrapes check it). */
export function secretKeyFile(runDir: string, secret: string, key: string): string {
  if (key !== 'ca.crt') throw new Error(`Secret ${secret}: key ${key} is not readable outside the pods in the e2e`);
  return join(runDir, 'pki', 'ca.crt');
}
