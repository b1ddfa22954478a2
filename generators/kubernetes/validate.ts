// Rendered Kubernetes objects against strict schemas, like `kubeconform -strict`: an unknown field anywhere,
// a wrong type, a missing required field, an API version retired in the environment's Kubernetes version,
// or a kind without a schema (unless SKIPPED_KINDS says why) is an error.
import type { ValidateFunction } from 'ajv';
import { retiredApiProblem } from './api-versions';
import { compiledValidators } from '../validation/compiled';
import { SCHEMA_SOURCES, SKIPPED_KINDS, kindKey } from './kinds';
import { type ObjectProblem, schemaProblems } from '../validation/messages';
import argoCd from './schemas/argo-cd.json';
import certManager from './schemas/cert-manager.json';
import externalSecrets from './schemas/external-secrets.json';
import kubernetes from './schemas/kubernetes.json';
import prometheusOperator from './schemas/prometheus-operator.json';
import strimzi from './schemas/strimzi.json';

interface SchemaFile {
  package: string;
  version: string;
  kinds: Record<string, string>;
  definitions: Record<string, unknown>;
}

export const SCHEMA_FILES: Record<string, SchemaFile> = {
  'kubernetes.json': kubernetes,
  'prometheus-operator.json': prometheusOperator,
  'strimzi.json': strimzi,
  'external-secrets.json': externalSecrets,
  'cert-manager.json': certManager,
  'argo-cd.json': argoCd,
};

export const objectId = (o: unknown): string => {
  const obj = o as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return `${typeof obj?.kind === 'string' ? obj.kind : '(no kind)'}/${typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '(no name)'}`;
};

/** The compiled validator of every kind, from standalone code cached per schema content (compiled.ts). */
let compiled: Map<string, ValidateFunction> | undefined;
function validators(): Map<string, ValidateFunction> {
  if (compiled) return compiled;
  const schemas: object[] = [];
  const refs: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const source of SCHEMA_SOURCES) {
    const file = SCHEMA_FILES[source.file];
    if (!file) throw new Error(`generators/kubernetes/schemas/${source.file} is missing: run npm run kubernetes-schemas`);
    schemas.push({ $id: source.file, definitions: file.definitions });
    for (const [key, definition] of Object.entries(file.kinds)) {
      const name = key.replace(/[^A-Za-z0-9]/g, '_'); // apps/v1/Deployment -> apps_v1_Deployment
      refs[name] = `${source.file}#/definitions/${definition}`;
      names.set(key, name);
    }
  }
  // inlineRefs false: shared definitions (PodSpec is in every workload kind) compile once. The schemas are
  // generated and drift-tested, so they are not re-validated against the meta-schema.
  const functions = compiledValidators('kubernetes', schemas, refs, {
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    inlineRefs: false,
    validateSchema: false,
  });
  compiled = new Map([...names].map(([key, name]) => [key, functions[name]!]));
  return compiled;
}

export class KubernetesValidator {
  constructor(private readonly skipped: Record<string, string> = SKIPPED_KINDS) {}

  /** Every `<apiVersion>/<Kind>` with a schema. */
  get kinds(): string[] {
    return [...validators().keys()].sort();
  }

  /** The problems of one rendered object on a cluster running `kubernetesVersion` (e.g. "1.32"). */
  validate(o: unknown, kubernetesVersion: string): ObjectProblem[] {
    const object = objectId(o);
    const problem = (path: string, message: string): ObjectProblem[] => [{ object, path, message }];
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      return problem('(top level)', 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
    const { apiVersion, kind } = o as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return problem('(top level)', 'missing apiVersion or kind');

    const retired = retiredApiProblem(apiVersion, kind, kubernetesVersion);
    if (retired) return problem('apiVersion', retired);

    const key = kindKey(o as { apiVersion: string; kind: string });
    if (key in this.skipped) return [];
    const validate = validators().get(key);
    if (!validate) {
      const versions = this.kinds.filter((k) => k.endsWith(`/${kind}`)).map((k) => k.slice(0, -kind.length - 1));
      const hint = versions.length ? ` (${kind} has a schema for ${versions.join(', ')})` : '';
      return problem(
        'apiVersion',
        `no schema for ${apiVersion} ${kind}${hint}: add it to SCHEMA_SOURCES in generators/kubernetes/kinds.ts and run npm run kubernetes-schemas, or list it in SKIPPED_KINDS with the reason`,
      );
    }
    if (validate(o)) return [];
    return schemaProblems(validate.errors ?? [], o).map((p) => ({ object, ...p }));
  }
}
