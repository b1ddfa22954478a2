// What Tempo 2.10.8 is, as the rest of the repository needs to know it: its ports, where its pods keep
// config and data, and the defaults it applies to keys a config leaves out (read from the v2.10.8
// source; tests/tempo-config.test.ts checks them against the real binary's -config.verify where it can).
import { objectName } from '../stack';

export const TEMPO_PORTS = {
  http: 3200, // server.http_listen_port (Tempo's own default since 2.8.0; 80 before, so the config sets it)
  grpc: 9095, // server.grpc_listen_port: components dial each other here (ring addresses, frontend workers)
  gossip: 7946, // memberlist.bind_port
} as const;

/** The image's user (USER 10001 in cmd/tempo/Dockerfile); tempo-vulture's image runs as it too. */
export const TEMPO_UID = 10001;

export const PATHS = {
  config: '/conf',
  overrides: '/runtime-config',
  data: '/var/tempo',
} as const;

export const CONFIG_MAP = objectName('config');
export const OVERRIDES_CONFIG_MAP = objectName('overrides');

/** Pods carrying this label join the memberlist gossip ring (the headless gossip Service selects them). */
export const GOSSIP_LABEL = 'tempo-gossip-member';
export const SERVICES = {
  gossip: objectName('gossip-ring'),
  queryFrontendDiscovery: objectName('query-frontend-discovery'),
} as const;

/** Tempo 2.10.8's own value of a key the config leaves out (modules' RegisterFlagsAndApplyDefaults). */
export const TEMPO_DEFAULTS = {
  'ingester.lifecycler.ring.replication_factor': 1,
  'ingester.flush_op_timeout': '5m',
  'storage.trace.wal.path': '/var/tempo/wal',
  'server.http_listen_port': 3200,
  'server.grpc_listen_port': 9095,
  'memberlist.bind_port': 7946,
} as const;
export type TempoDefaultKey = keyof typeof TEMPO_DEFAULTS;

/** The value of `key` in a parsed Tempo config, or Tempo's default when the config leaves it out. */
export function effective<K extends TempoDefaultKey>(config: unknown, key: K): unknown {
  const value = key.split('.').reduce<unknown>((o, k) => (o == null || typeof o !== 'object' ? undefined : (o as Record<string, unknown>)[k]), config);
  return value ?? TEMPO_DEFAULTS[key];
}

/** Tempo's flush queue waits up to 120 s between attempts (maxBackoff in modules/ingester/flush.go). */
export const FLUSH_MAX_BACKOFF_SECONDS = 120;

/**
 * The shortest block_retention that keeps every block until it has been flushed, polled and queried, as the
 * sum of Tempo 2.10.8's defaults (tempo.yaml sets none of them). Retention (tempodb/retention.go) deletes a
 * block once its end time is before now - block_retention, at the compactor's next blocklist poll.
 */
export const RETENTION_FLOOR_PARTS = {
  /** A head block is cut this long after it opened: its oldest trace is that old before the flush. */
  'ingester.max_block_duration': 30 * 60,
  /** The ingester then still answers for the flushed block (3 x blocklist_poll in modules/ingester/config.go). */
  'ingester.complete_block_timeout': 15 * 60,
  /** Queriers and the compactor see a new block in S3 within one poll (tempodb.DefaultBlocklistPoll). */
  'storage.trace.blocklist_poll': 5 * 60,
  /** The compactor merges the blocks of one window (compaction_window): they must outlive it. */
  'compactor.compaction.compaction_window': 60 * 60,
} as const;
/** 1h50m. Seen with the real 2.10.8 binary: a 1s retention marks a block for deletion 2 s after its flush. */
export const MIN_RETENTION_SECONDS = Object.values(RETENTION_FLOOR_PARTS).reduce((sum, s) => sum + s, 0);
