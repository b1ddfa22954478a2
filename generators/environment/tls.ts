// The environment's TLS settings (tls.*): whether every connection of the stack is encrypted, who signs the
// certificates, their lifetime, and the CA Grafana trusts. generators/tls.ts renders what they describe.
import { X509Certificate } from 'node:crypto';
import type { Problem } from '../validation/messages';
import { PATTERNS, bool, duration, object, str } from './fields';
import type { Duration } from './units';

export const tls = object(
  {
    enabled: bool(
      'TLS on every connection of the stack (certificates from cert-manager); off in an environment only with a named waiver of the tls-in-transit policy',
      true,
    ),
    clusterIssuer: str(
      "cert-manager ClusterIssuer that signs the stack's certificates (a CA-type issuer that fills ca.crt); empty: a namespace CA bootstrapped by cert-manager",
      PATTERNS.issuerName,
      '',
    ),
    duration: duration('Lifetime of each component certificate', '2160h'),
    renewBefore: duration('cert-manager renews a certificate this long before it expires; Reloader then restarts the pods that mount it', '720h'),
    caCertificate: str(
      "PEM of the CA certificate Grafana's Tempo data source trusts (public; after the first sync of a namespace CA: kubectl -n observability get secret tempo-stack-ca -o jsonpath='{.data.ca\\.crt}' | base64 -d)",
      PATTERNS.pemCertificate,
      '',
    ),
  },
  'Encryption in transit',
);

/** What the schema cannot see: cert-manager's own limits, and a CA certificate Grafana could use. */
export function tlsProblems(t: { duration: Duration; renewBefore: Duration; caCertificate: string }, now = Date.now()): Problem[] {
  const problems: Problem[] = [];
  // cert-manager refuses a certificate shorter than an hour, or renewed before it was issued.
  if (t.duration.seconds < 3600) problems.push({ path: 'tls.duration', message: `${t.duration.text} is below cert-manager's minimum; expected at least 1h` });
  if (t.renewBefore.seconds >= t.duration.seconds)
    problems.push({
      path: 'tls.renewBefore',
      message: `${t.renewBefore.text} is not below tls.duration (${t.duration.text}); expected a shorter renewal margin`,
    });
  if (t.caCertificate) {
    let ca: X509Certificate | undefined;
    try {
      ca = new X509Certificate(t.caCertificate);
    } catch (e) {
      problems.push({ path: 'tls.caCertificate', message: `is not a readable certificate (${(e as Error).message}); expected the PEM of the CA` });
    }
    if (ca && !ca.ca)
      problems.push({
        path: 'tls.caCertificate',
        message: `"${ca.subject.replace(/\n/g, ', ')}" is not a CA certificate; expected the CA that signs the stack's certificates`,
      });
    if (ca && Date.parse(ca.validTo) < now)
      problems.push({ path: 'tls.caCertificate', message: `expired on ${ca.validTo}; expected the current CA certificate` });
  }
  return problems;
}
