// Argo CD applies a wave, then waits until everything in it is healthy before the next one. cert-manager's
// chain (self-signed Issuer -> namespace CA Certificate -> CA Issuer -> component Certificates -> the pods
// that mount them) must therefore climb the waves: an Issuer whose CA Secret is made in its own or a later
// wave stays unhealthy, and the sync never reaches that later wave.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../generators/kubernetes/objects';
import { SYNC_WAVE_ANNOTATION } from '../generators/kustomize/sync-waves';
import { environmentNames } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

const wave = (o: KubeObject) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
const named = (o: KubeObject) => `${o.kind}/${o.metadata.name} (wave ${wave(o)})`;

describe('certificate chain across sync waves', () => {
  for (const env of environmentNames(ROOT)) {
    const objects = build(`overlays/${env}`) as Any[];
    const certificates = objects.filter((o) => o.kind === 'Certificate');
    const issuers = objects.filter((o) => o.kind === 'Issuer');
    if (!certificates.length) {
      it.skip(`${env}: renders no Certificate (tls.enabled: false)`, () => {});
      continue;
    }

    it(`${env}: each Issuer's CA Secret and each Certificate's Issuer come in an earlier wave; pods after their certificates`, () => {
      for (const issuer of issuers.filter((i) => i.spec.ca)) {
        const ca = certificates.find((c) => c.spec.secretName === issuer.spec.ca.secretName);
        expect(ca, `${named(issuer)}: no Certificate makes its CA Secret ${issuer.spec.ca.secretName}`).toBeDefined();
        expect(wave(ca), `${named(ca)} must come before ${named(issuer)}`).toBeLessThan(wave(issuer));
      }
      for (const cert of certificates.filter((c) => c.spec.issuerRef.kind === 'Issuer')) {
        const issuer = issuers.find((i) => i.metadata.name === cert.spec.issuerRef.name);
        expect(issuer, `${named(cert)}: its Issuer ${cert.spec.issuerRef.name} is not rendered`).toBeDefined();
        // The self-signed Issuer is healthy at once: it may share the CA Certificate's wave.
        if (issuer.spec.selfSigned) expect(wave(issuer), named(cert)).toBeLessThanOrEqual(wave(cert));
        else expect(wave(issuer), `${named(issuer)} must come before ${named(cert)}`).toBeLessThan(wave(cert));
      }
      const bySecret = new Map(certificates.map((c) => [c.spec.secretName, c]));
      const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
      let mounts = 0;
      for (const w of workloads) {
        for (const v of w.spec.template.spec.volumes ?? []) {
          const cert = bySecret.get(v.secret?.secretName);
          if (!cert) continue;
          mounts++;
          expect(wave(cert), `${named(cert)} must come before ${named(w)}, which mounts it`).toBeLessThan(wave(w));
        }
      }
      expect(mounts, 'no workload mounts a certificate Secret').toBeGreaterThan(0);
    });
  }
});
