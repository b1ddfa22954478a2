// What a Tempo 3 environment needs on loopback besides the 2.10 backing services: franz-go's in-process
// Kafka (kfake-server, one broker on 127.0.0.1) with the topic as rendered, and its consumer groups
// created first: kfake answers an offset fetch of an unknown group with GROUP_ID_NOT_FOUND where Kafka
// answers "no offsets", so live-stores would never consume and the block-builder fail every cycle.
import { join } from 'node:path';
import type { Tempo3Binaries } from './binaries';
import { expectThat } from './checks';
import { Proc, sleep, until } from './proc';
import type { RenderedEnvironment } from './rendered';
import type { Stack } from './stack';

export const isTempo3 = (env: RenderedEnvironment): boolean => env.tempo?.ingest?.kafka !== undefined;

/**
 * tempo-vulture 3.0.3's pace, compressed to fit a minute. Vulture checks a trace once its last write is a
 * long-write backoff old. A live-store answers trace by id from its live traces, but TraceQL metrics and
 * search only from blocks: a trace reaches the head block max_trace_idle (5s) after its last write, at
 * the next flush_check_period tick (5s), so up to 10 s, plus the Kafka hop. Vulture's seed is its write
 * time rounded to the write backoff (up to 1.5 s earlier). At 12s a check could come first (1 run in 5
 * counted one notfound_metrics); 18s leaves 6.5 s for the Kafka hop. Fewer traces are old enough then:
 * metrics every 2s (its recent and old checkers share the ticker; the old one skips in a short run) keeps
 * the metrics check running (9 checks in 6 runs, the youngest trace 18.3 s old). Production: 1m.
 */
export const VULTURE_PACING_3 = [
  '-tempo-write-backoff-duration=3s',
  '-tempo-long-write-backoff-duration=18s',
  '-tempo-read-backoff-duration=4s',
  '-tempo-search-backoff-duration=4s',
  '-tempo-metrics-backoff-duration=2s',
];

/** Starts kfake (stopped with the stack) and seeds `groups` at the start of the topic. */
export async function startKafkaFake(stack: Stack, bin: Tempo3Binaries, port: number, topic: string, partitions: number, groups: string[]): Promise<void> {
  const kfake = new Proc('kfake', join(stack.logs, 'kfake.log'), bin.kfake, ['-port', String(port), '-partitions', String(partitions), '-topic', topic]);
  stack.procs.set('kfake', kfake);
  await until('kfake never said it listens', 20_000, async () => (kfake.log().includes('kfake listening') ? true : undefined), 250);
  const seed = new Proc('kafka-seed-groups', join(stack.logs, 'kafka-seed-groups.log'), bin.seedGroups, [
    '-addr',
    `127.0.0.1:${port}`,
    '-topic',
    topic,
    ...groups,
  ]);
  const code = await Promise.race([seed.exited, sleep(20_000).then(() => 'timeout')]);
  expectThat(code === 0, `kafka-seed-groups ended with ${code}:\n${seed.tail(5)}`);
}
