// The environment's sampling policy (environment.yaml `sampling`), rendered into the collector config by
// generators/components/sampling.ts. Its own file to keep settings.ts readable; settings.ts includes it.
import { bool, duration, int, map, object, percent } from './fields';

// Trace sampling (generators/components/sampling.ts): the collector agents keep a share of the traces,
// decided from each trace id so every agent keeps or drops the same traces. The default is the
// production figure (the seed's 10%); dev and staging keep everything.
export const sampling = object(
  {
    percentage: percent('Share of traces the collector agents keep, for every service without its own percentage (100 keeps all)', 10),
    // Checked by samplingProblems (a service.name that can never match is refused with the reason).
    services: map(
      '^[\\s\\S]*$',
      percent("Share of this service's spans kept"),
      'Per-service percentages by resource attribute service.name (exact match); a trace crossing services of different percentages is complete only at the lowest',
    ),
    tail: object(
      {
        enabled: bool(
          'Tail-sampling gateway: agents send whole traces (by trace id) to the gateway, which keeps every error and slow trace and the percentages of the rest',
          false,
        ),
        latencyThreshold: duration('Traces at least this long (first span start to last span end) are always kept', '2s'),
        decisionWait: duration("Time from a trace's first span to its decision (spans arriving later follow the cached decision)", '10s'),
        expectedNewTracesPerSecond: int('New traces per second the whole gateway tier expects (sizes the traces held per replica)', 1, 1000),
      },
      'Optional tail-sampling tier (components.gateway sizes it)',
    ),
  },
  'Trace sampling in the collector (see README "Sampling")',
);
