// Every component of the stack, in render order. A new component is a file in this directory and one
// entry here: its settings join environment.yaml under components.<name>, its objects the render.
import { backendScheduler } from './backend-scheduler';
import { backendWorker } from './backend-worker';
import { blockBuilder } from './block-builder';
import { collector } from './collector';
import { compactor } from './compactor';
import { distributor } from './distributor';
import { gateway } from './gateway';
import { ingester } from './ingester';
import { liveStore } from './live-store';
import { memcached } from './memcached';
import { metricsGenerator } from './metrics-generator';
import { querier } from './querier';
import { queryFrontend } from './query-frontend';
import { rolloutOperator } from './rollout-operator';
import { vulture } from './vulture';

// Which of them an environment runs follows tempo.version (each Tempo target declares its versions); Tempo
// 3's own targets come last, so adding them changed nothing an existing environment renders.
export const COMPONENTS = {
  distributor,
  ingester,
  'query-frontend': queryFrontend,
  querier,
  compactor,
  'metrics-generator': metricsGenerator,
  memcached,
  collector,
  gateway,
  vulture,
  'rollout-operator': rolloutOperator,
  'live-store': liveStore,
  'block-builder': blockBuilder,
  'backend-scheduler': backendScheduler,
  'backend-worker': backendWorker,
} as const;

export type ComponentName = keyof typeof COMPONENTS;
export const COMPONENT_NAMES = Object.keys(COMPONENTS) as ComponentName[];
/** Tempo's own targets. */
export const TEMPO_TARGETS = COMPONENT_NAMES.filter((n) => COMPONENTS[n].tempo);
/** Tempo targets that keep data on a volume per pod (StatefulSets). */
export const STATEFUL_TARGETS = TEMPO_TARGETS.filter((n) => COMPONENTS[n].tempo?.stateful);
