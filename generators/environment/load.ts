// Reads overlays/<env>/environment.yaml: YAML syntax, schema, then cross-field checks. Every problem is
// reported at once, each naming the file, the field path and what is expected. The result has every
// default filled in and its units parsed (index.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { Component } from '../components/component';
import { COMPONENTS, type ComponentName } from '../components/index';
import { compiledValidators } from '../validation/compiled';
import { InputError } from '../validation/messages';
import { closest } from '../suggest';
import { crossFieldProblems } from './checks';
import { PATTERN_HINTS, PATTERNS } from './fields';
import { type Environment, decodeUnits, defaultsOf, fileSchema } from './index';

/** Identity used to render `base/`: every overlay replaces these values. */
export const BASE_IDENTITY = {
  name: 'base',
  cluster: { name: 'base', oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000' },
  aws: { region: 'us-east-1', accountId: '000000000000' },
  s3: { bucket: 'tempo-traces-base' },
} as const;

/** The schema an environment file is checked against, as written for editors (with its defaults). */
export const ENVIRONMENT_FILE_SCHEMA = fileSchema();
const DEFAULTS = defaultsOf();

export { InputError };

let validateFile: ValidateFunction | undefined;
function schemaValidator() {
  // Compiled once and cached (validation/compiled.ts): compiling it cost about a third of every `generate`.
  validateFile ??= compiledValidators(
    'environment',
    [ENVIRONMENT_FILE_SCHEMA],
    { environment: String(ENVIRONMENT_FILE_SCHEMA.$id) },
    {
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
      verbose: true,
    },
  ).environment;
  return validateFile;
}

/** `file` is the path shown in messages; it is read relative to `root`. */
export function loadEnvironment(file: string, envName: string, text?: string, root = '.'): Environment {
  text ??= readFileSync(join(root, file), 'utf8');
  const problems: string[] = [];
  if (!new RegExp(PATTERNS.dnsLabel).test(envName)) {
    problems.push(`${file}: environment directory name "${envName}" must be a DNS label (lowercase letters, digits and "-", at most 63)`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      problems.push(
        `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    throw new InputError(problems);
  }
  if (doc.contents === null) throw new InputError([...problems, `${file}: the file is empty; expected a mapping with at least cluster, aws and s3`]);
  if (!isMap(doc.contents)) throw new InputError([...problems, `${file}: expected a mapping of settings at the top level, got ${describe(doc.toJS())}`]);

  const data = doc.toJS() as Record<string, unknown>;
  const validate = schemaValidator();
  if (!validate(data)) {
    // A bad key under propertyNames is reported once, by its propertyNames error.
    for (const e of validate.errors ?? []) if (e.propertyName === undefined) problems.push(formatSchemaError(file, doc, lines, e));
    throw new InputError(problems);
  }
  if (problems.length) throw new InputError(problems);

  const env = mergeEnvironment(envName, data);
  const componentProblems = Object.values(COMPONENTS).flatMap((c: Component) =>
    (c.checks?.(env.components[c.name as ComponentName]) ?? []).map((p) => ({ path: `components.${c.name}.${p.path}`, message: p.message })),
  );
  const crossField = [...crossFieldProblems(env), ...componentProblems].map((p) => `${file}${position(doc, lines, p.path)}: ${p.path}: ${p.message}`);
  if (crossField.length) throw new InputError(crossField);
  return env;
}

/** `file:line:col` of a field (or its nearest parent) in an environment file, for rules across files. */
export function locate(file: string, path: string, root = '.'): string {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(join(root, file), 'utf8'), { lineCounter: lines });
  return `${file}${position(doc, lines, path)}`;
}

/** Defaults deep-merged with a file (already validated), units parsed; arrays and scalars in the file replace the default. */
export function mergeEnvironment(name: string, file: Record<string, unknown>): Environment {
  return { name, ...(decodeUnits(deepMerge(DEFAULTS, file)) as Omit<Environment, 'name'>) };
}

export function baseEnvironment(): Environment {
  const { name, ...file } = BASE_IDENTITY;
  return mergeEnvironment(name, structuredClone(file) as Record<string, unknown>);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = structuredClone(base);
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return structuredClone(over);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function segments(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

function position(doc: Document, lines: LineCounter, path: string): string {
  const parts = segments(path).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let n = parts.length; n > 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `:${line}:${col}`;
    }
  }
  return '';
}

function formatSchemaError(file: string, doc: Document, lines: LineCounter, e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const at = (p: string) => `${file}${position(doc, lines, p)}: ${p || '(top level)'}`;
  const got = describe(valueAt(doc, path));
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const close = closest(key, known);
      const full = path ? `${path}.${key}` : key;
      return `${file}${position(doc, lines, full)}: ${full}: unknown key${close ? ` (did you mean "${close}"?)` : ''}; expected one of: ${known.join(', ')}`;
    }
    case 'required':
      return `${at(path)}: missing required key "${e.params.missingProperty}"`;
    case 'type':
      return `${at(path)}: expected ${e.params.type}, got ${got}`;
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      if (allowed.length <= 8) return `${at(path)}: expected one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
      const close = closest(String(valueAt(doc, path)), allowed);
      return `${at(path)}: expected a known value${close ? ` (did you mean "${close}"?)` : ''}, got ${got}; see overlays/environment.schema.json for the list`;
    }
    case 'pattern':
      return `${at(path)}: expected ${PATTERN_HINTS[String(e.params.pattern)] ?? `a value matching ${e.params.pattern}`}, got ${got}`;
    case 'propertyNames': {
      const pattern = String((e.parentSchema?.propertyNames as { pattern?: string } | undefined)?.pattern ?? PATTERNS.tenantId);
      return `${at(path)}: key ${JSON.stringify(e.params.propertyName)} is not valid: expected ${PATTERN_HINTS[pattern] ?? `a key matching ${pattern}`}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return `${at(path)}: expected a number ${e.params.comparison} ${e.params.limit}, got ${got}`;
    default:
      return `${at(path)}: ${e.message ?? 'is invalid'}`;
  }
}

function valueAt(doc: Document, path: string): unknown {
  const js = doc.toJS() as unknown;
  return segments(path).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], js);
}
