// Accepted exceptions to the policies. Each names one rule and one object (optionally only some
// environments) and says why; `npm run validate` prints every waiver it applies, and a waiver that
// matches nothing fails the tests, so this list never outlives its reasons.
import type { Waiver } from './types';

// dev's single-ingester waiver (tempo-replication) went with dev's move to Tempo 3: no ingester runs there.
export const WAIVERS: Waiver[] = [
  {
    rule: 'tls-in-transit',
    object: 'Namespace/observability',
    environments: ['dev'],
    reason:
      'dev runs plaintext by choice (tls.enabled: false): it keeps the no-TLS path of the generators and the loopback e2e exercised, and plain tools (curl, grpcurl, tcpdump) work there; its traces are synthetic test traffic',
  },
];
