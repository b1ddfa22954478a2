// The Tempo versions an environment can run (tempo.version) and the release each pins.
export const TEMPO_VERSION = '2.10.8';
export const TEMPO_RELEASES = { '2.10': TEMPO_VERSION, '3.0': '3.0.3' } as const;
export type TempoVersion = keyof typeof TEMPO_RELEASES;
export const TEMPO_VERSIONS = Object.keys(TEMPO_RELEASES) as TempoVersion[];
