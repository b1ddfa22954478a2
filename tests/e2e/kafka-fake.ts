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

/** tempo-vulture 3.0.3's pace for a minute against the shortened loopback timings (its checks: 0 errors). */
export const VULTURE_PACING_3 = [
  '-tempo-write-backoff-duration=3s',
  '-tempo-long-write-backoff-duration=12s',
  '-tempo-read-backoff-duration=4s',
  '-tempo-search-backoff-duration=4s',
  '-tempo-metrics-backoff-duration=4s',
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
