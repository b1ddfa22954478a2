// Accepted exceptions to the policies. Each names one rule and one object (optionally only some
// environments) and says why; `npm run validate` prints every waiver it applies, and a waiver that
// matches nothing fails the tests, so this list never outlives its reasons.
import type { Waiver } from './types';

// dev's single-ingester waiver (tempo-replication) went with dev's move to Tempo 3: no ingester runs there;
// its plaintext waiver (tls-in-transit) went when TLS was proven on 3.0.3 (dev runs TLS like prod).
export const WAIVERS: Waiver[] = [];
