// The Kustomize layout: base/ is the defaults rendered, each overlay patches what its environment changes.
// Objects only an environment has are plain resources of its overlay; objects it drops are deleted by
// a `$patch: delete`. Every file is one object and every name is predictable.
import { type Files, yamlFile } from '../files';
import { type KubeObject, ref } from '../kubernetes/objects';
import type { RenderedEnvironment } from '../render';
import { INSTANCE, stackLabels } from '../stack';
import { CONFIG_MAP, OVERRIDES_CONFIG_MAP } from '../tempo/facts';
import { jsonPatch } from './json-patch';
import { syncWavePatches } from './sync-waves';

/**
 * A directory shared by all environments (dashboards/, alerts/, argocd/ ...): every file in it is
 * generated. With `inBase`, base/kustomization.yaml lists it as a resource, so every overlay has it.
 * With `perEnvironment`, it holds one kustomization per environment (<dir>/<env>/) and each overlay
 * lists its own: for content that differs by environment but reads best whole, not as patches.
 */
export interface SharedDir {
  dir: string;
  inBase: boolean;
  perEnvironment?: boolean;
  files(base: RenderedEnvironment, environments: RenderedEnvironment[]): Files;
}

/** ingester-statefulset.yaml, gossip-ring-service.yaml, serviceaccount.yaml, observability-namespace.yaml */
export function fileName(o: KubeObject): string {
  const short = o.metadata.name === INSTANCE ? '' : o.metadata.name.replace(`${INSTANCE}-`, '');
  return `${[short, o.kind.toLowerCase()].filter(Boolean).join('-')}.yaml`;
}

const key = ref;

/** A dual run's Tempo 3 stack: a kustomization of its own under the overlay (its namespace set there). */
export const DUAL_RUN_DIR = 'tempo3';

/**
 * `base`: the ConfigMaps base generates; an overlay replaces those and creates the others. `namespace`:
 * where the overlay names it (a dual-run overlay has no namespace transformer).
 */
function configMapGenerators(r: RenderedEnvironment, base?: RenderedEnvironment, namespace: { namespace?: string } = {}) {
  const options = { labels: stackLabels(r.env.tempo.tag) };
  const behavior = (name: string) =>
    !base ? {} : name === CONFIG_MAP || name === OVERRIDES_CONFIG_MAP || base.configMaps.some((c) => c.name === name) ? { behavior: 'replace' } : {};
  return [
    // Hash suffix: a config change rolls every Tempo pod.
    { name: CONFIG_MAP, ...namespace, ...behavior(CONFIG_MAP), files: ['tempo.yaml'], options },
    // No hash: the kubelet updates the mounted file and Tempo reloads it without a restart.
    {
      name: OVERRIDES_CONFIG_MAP,
      ...namespace,
      ...behavior(OVERRIDES_CONFIG_MAP),
      files: ['overrides.yaml'],
      options: { ...options, disableNameSuffixHash: true },
    },
    // Hash suffix: a config change rolls the pods that mount it.
    ...r.configMaps.map((c) => ({ name: c.name, ...namespace, ...behavior(c.name), files: [c.file], options: { labels: c.labels } })),
  ];
}

function configFiles(dir: string, r: RenderedEnvironment, files: Files) {
  files.set(`${dir}/tempo.yaml`, yamlFile(r.tempoConfig, `# Tempo ${r.env.tempo.tag} configuration for ${r.env.name}.\n`));
  files.set(`${dir}/overrides.yaml`, yamlFile(r.overrides, '# Runtime overrides (hot-reloaded every 10s), nested format.\n'));
  for (const c of r.configMaps) files.set(`${dir}/${c.file}`, yamlFile(c.content, c.comment));
}

/** `shared`: directories every overlay includes through base (e.g. ../dashboards). */
export function baseFiles(base: RenderedEnvironment, shared: string[] = []): Files {
  const files: Files = new Map();
  const resources = base.objects.map((o) => {
    files.set(`base/${fileName(o)}`, yamlFile(o));
    return fileName(o);
  });
  configFiles('base', base, files);
  files.set(
    'base/kustomization.yaml',
    yamlFile({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: base.env.namespace,
      resources: [...resources.sort(), ...shared],
      configMapGenerator: configMapGenerators(base),
    }),
  );
  return files;
}

/** `shared`: this environment's own directories of the shared directories (e.g. ../../alerts/prod). */
export function overlayFiles(base: RenderedEnvironment, env: RenderedEnvironment, shared: string[] = []): Files {
  const dir = `overlays/${env.env.name}`;
  const files: Files = new Map();
  const baseByKey = new Map(base.objects.map((o) => [key(o), o]));
  const envKeys = new Set(env.objects.map(key));
  const resources: string[] = [];
  const patches: Array<Record<string, unknown>> = [];
  // A dual run holds two namespaces: no namespace transformer (it would move the Tempo 3 stack), so this
  // stack's objects, patch targets and generated ConfigMaps name theirs.
  const ns = env.dualRun ? { namespace: env.env.namespace } : {};
  const placed = (o: KubeObject): KubeObject => (env.dualRun && !CLUSTER_SCOPED.has(o.kind) ? { ...o, metadata: { ...o.metadata, ...ns } } : o);

  for (const o of env.objects) {
    const b = baseByKey.get(key(o));
    if (!b) {
      files.set(`${dir}/${fileName(o)}`, yamlFile(placed(o)));
      resources.push(fileName(o));
      continue;
    }
    const ops = jsonPatch(b, o);
    if (ops.length === 0) continue;
    files.set(`${dir}/patches/${fileName(o)}`, yamlFile(ops, `# ${env.env.name}: how ${key(o)} differs from base/.\n`));
    patches.push({ path: `patches/${fileName(o)}`, target: { kind: o.kind, name: o.metadata.name, ...(CLUSTER_SCOPED.has(o.kind) ? {} : ns) } });
  }
  const generated = base.configMaps
    .filter((c) => !env.configMaps.some((e) => e.name === c.name))
    .map((c): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: c.name } }));
  for (const b of [...base.objects, ...generated]) {
    if (envKeys.has(key(b))) continue;
    const deletion = {
      $patch: 'delete',
      apiVersion: b.apiVersion,
      kind: b.kind,
      metadata: { name: b.metadata.name, ...(CLUSTER_SCOPED.has(b.kind) ? {} : ns) },
    };
    files.set(`${dir}/patches/${fileName(b)}`, yamlFile(deletion, `# ${env.env.name} has no ${key(b)}.\n`));
    patches.push({ path: `patches/${fileName(b)}` });
  }
  configFiles(dir, env, files);
  if (env.dualRun) for (const [path, content] of stackFiles(`${dir}/${DUAL_RUN_DIR}`, env.dualRun)) files.set(path, content);
  patches.sort((a, b) => String(a.path).localeCompare(String(b.path)));
  files.set(
    `${dir}/kustomization.yaml`,
    yamlFile({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      ...(env.dualRun ? {} : { namespace: env.env.namespace }),
      resources: ['../../base', ...shared, ...resources.sort(), ...(env.dualRun ? [DUAL_RUN_DIR] : [])],
      configMapGenerator: configMapGenerators(env, base, ns),
      // Sync waves last, so no environment patch can replace the annotations they add.
      patches: [...patches, ...syncWavePatches()],
    }),
  );
  return files;
}

/** Kinds without a namespace (a dual-run overlay names the namespace of every other object); argocd.ts's CLUSTER_KINDS, which imports this module. */
export const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration']);

/**
 * A dual run's Tempo 3 stack, whole (no base: nothing in base/ is its): every object a resource, its config
 * files generated, its namespace set by its own kustomization. The overlay's sync-wave patches order it too.
 */
function stackFiles(dir: string, r: RenderedEnvironment): Files {
  const files: Files = new Map();
  const resources = r.objects.map((o) => {
    files.set(`${dir}/${fileName(o)}`, yamlFile(o));
    return fileName(o);
  });
  configFiles(dir, r, files);
  files.set(
    `${dir}/kustomization.yaml`,
    yamlFile({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: r.env.namespace,
      resources: resources.sort(),
      configMapGenerator: configMapGenerators(r),
    }),
  );
  return files;
}
