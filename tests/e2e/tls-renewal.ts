// A renewal under a running Tempo: cert-manager rewrites a Secret, the kubelet rewrites the files of its
// directory mount, and what Tempo then serves decides whether the pod must be rolled (README "Renewal").
// The e2e renews the distributor's certificate in place (new key, same names and CA) and reads the
// certificate each listener serves before and after: gRPC and HTTP with SNI take the new one at the next
// handshake; HTTP without SNI (the kubelet's probes) and memberlist keep the old one, which is why the
// Deployment names its Secret for Reloader.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { expectThat } from './checks';
import { pem, reissue } from './pki';
import { type Plan, TEMPO_DEFAULT_PORTS, byComponent } from './plan';
import type { TlsRun } from './tls';

const RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** The serial of the certificate a port serves; `servername` undefined sends no SNI. Only read, not verified: this is not a client's check. */
function servedSerial(port: number, servername: string | undefined, pair?: { cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: servername ?? '', rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...pair });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`port ${port}: no handshake in 3 s`));
    }, 3_000);
    s.on('secureConnect', () => {
      clearTimeout(timer);
      const serial = s.getPeerCertificate().serialNumber;
      s.destroy();
      resolve(serial);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`port ${port}: ${e.message}`));
    });
  });
}

export async function checkRenewal(plan: Plan, tls: TlsRun): Promise<string> {
  const p = byComponent(plan, 'distributor')[0];
  expectThat(p, 'the rendered manifests run no distributor');
  const mount = p.workload.secretMounts.find((m) => !m.items);
  expectThat(mount, `${p.id} mounts no certificate Secret whole`);
  const certificate = plan.env.objects.find((o) => o.kind === 'Certificate' && o.spec.secretName === mount.secretName);
  expectThat(certificate, `no rendered Certificate writes ${mount.secretName}`);
  const tempo = plan.env.tempo;
  const port = (pod: number) => {
    const l = p.ports.get(pod);
    expectThat(l, `${p.id} has no planned port ${pod}`);
    return l;
  };
  const http = port(Number(tempo.server?.http_listen_port ?? TEMPO_DEFAULT_PORTS.http));
  const grpc = port(Number(tempo.server?.grpc_listen_port ?? TEMPO_DEFAULT_PORTS.grpc));
  const gossip = port(Number(tempo.memberlist?.bind_port ?? TEMPO_DEFAULT_PORTS.memberlist));
  const name = tls.names.get(http);
  const client = { cert: pem(tls.pki.client.crt), key: pem(tls.pki.client.key) };
  const read = async () => ({
    grpc: await servedSerial(grpc, name, client),
    httpSni: await servedSerial(http, name),
    httpNoSni: await servedSerial(http, undefined),
    gossip: await servedSerial(gossip, name, client),
  });
  const before = await read();
  const renewed = reissue(tls.pki, `${certificate.metadata.name}-renewed`, certificate.spec.dnsNames);
  for (const [from, to] of [
    [renewed.crt, 'tls.crt'],
    [renewed.key, 'tls.key'],
  ] as const)
    copyFileSync(from, join(p.dir, mount.mountPath, to));
  const serial = new X509Certificate(readFileSync(renewed.crt)).serialNumber;
  expectThat(serial !== before.grpc, 'the renewed certificate has the old serial');
  const after = await read();
  expectThat(after.grpc === serial, `gRPC ${p.id}: serves ${after.grpc} after the renewal, want the renewed ${serial}`);
  expectThat(after.httpSni === serial, `HTTP with SNI ${p.id}: serves ${after.httpSni} after the renewal, want the renewed ${serial}`);
  // What needs a restart: if these took the renewed certificate too, Reloader would be rolling pods for nothing.
  expectThat(after.httpNoSni === before.httpNoSni, `HTTP without SNI: now serves ${after.httpNoSni}: it reloads (README "Renewal" says it does not)`);
  expectThat(after.gossip === before.gossip, `memberlist: now serves ${after.gossip}: it reloads (README "Renewal" says it does not)`);
  const workload = plan.env.objects.find((o) => o.kind === p.workload.kind && o.metadata.name === p.workload.name);
  const reload = String(workload?.metadata?.annotations?.[RELOAD_ANNOTATION] ?? '').split(',');
  expectThat(
    reload.includes(mount.secretName),
    `${p.workload.kind}/${p.workload.name} does not name ${mount.secretName} in ${RELOAD_ANNOTATION}: after a renewal it keeps the old certificate until something restarts it`,
  );
  return `${p.id}, ${mount.secretName} renewed in place: gRPC and HTTP with SNI serve the new certificate at the next handshake; HTTP without SNI and memberlist keep the old one until restart, and ${p.workload.kind}/${p.workload.name} names the Secret for Reloader`;
}
