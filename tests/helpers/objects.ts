// Lookups in rendered objects shared by the tests.
import { parse } from 'yaml';
import type { KubeObject } from '../../generators/kubernetes/objects';
import { CONFIG_MAP } from '../../generators/tempo/facts';

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped in tests; each test asserts the shape it reads
export type Any = any;

/** The object of that kind and name; throws (naming it) when it is not rendered. */
export function find(objects: KubeObject[], kind: string, name: string): Any {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
}

/** The tempo.yaml ConfigMap (its name carries configMapGenerator's content hash). */
export function tempoConfigMap(objects: KubeObject[]): Any {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${CONFIG_MAP}-`));
  if (!cm) throw new Error(`ConfigMap ${CONFIG_MAP}-<hash> not rendered`);
  return cm;
}

/** The Tempo config as parsed from its ConfigMap. */
export const tempoConfig = (objects: KubeObject[]): Any => parse(tempoConfigMap(objects).data['tempo.yaml']);
