// dashboards/: one JSON model per dashboard and a kustomization that turns each into a ConfigMap the
// Grafana sidecar picks up (label grafana_dashboard: "1") and files into the Tempo folder. Every
// overlay includes it through base/.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { type Files, jsonFile, yamlFile } from '../files';
import type { SharedDir } from '../kustomize/layout';
import { NAMESPACE, STACK_LABELS, objectName } from '../stack';
import { cachedNextToBundle } from './cache';
import { tempo3Ingest } from './ingest-3';
import { operational } from './operational';
import { reads } from './reads';
import { resources } from './resources';
import { servicesGraph } from './services-graph';
import { servicesRed } from './services-red';
import { tenants } from './tenants';
import { writes } from './writes';

export const DASHBOARDS_DIR = 'dashboards';
/** The Grafana folder, read by the sidecar from this annotation (its `folderAnnotation` setting). */
export const FOLDER_ANNOTATION = 'grafana_folder';
export const FOLDER = 'Tempo';

/** Every dashboard, in the order of the kustomization. */
export const DASHBOARDS: ReadonlyArray<() => Dashboard> = [operational, writes, reads, resources, tenants, servicesRed, servicesGraph, tempo3Ingest];

export const dashboardFile = (d: Dashboard): string => `${d.uid}.json`;
export const dashboardConfigMap = (d: Dashboard): string => objectName(`dashboard-${d.uid!.replace(/^tempo-/, '')}`);

function render(): Array<[string, string]> {
  const models = DASHBOARDS.map((build) => build());
  const files: Array<[string, string]> = models.map((d) => [`${DASHBOARDS_DIR}/${dashboardFile(d)}`, jsonFile(d)]);
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: NAMESPACE,
    generatorOptions: {
      // Nothing refers to these ConfigMaps by name (the sidecar finds them by label), so a content hash
      // would only make every change a create-and-prune: two ConfigMaps with the same dashboard uid
      // for a moment. Updated in place, the sidecar rewrites the file and Grafana reloads it.
      disableNameSuffixHash: true,
      labels: { grafana_dashboard: '1', ...STACK_LABELS },
      annotations: { [FOLDER_ANNOTATION]: FOLDER },
    },
    configMapGenerator: models.map((d) => ({ name: dashboardConfigMap(d), files: [dashboardFile(d)] })),
  };
  const comment = '# Grafana dashboards built by generators/dashboards/ (the JSON files cannot carry this marker).\n';
  return [[`${DASHBOARDS_DIR}/kustomization.yaml`, yamlFile(kustomization, comment)], ...files];
}

export const dashboardsDir: SharedDir = {
  dir: DASHBOARDS_DIR,
  inBase: true,
  files: (): Files => new Map(cachedNextToBundle('dashboards', render)),
};
