// Ajv errors as `<path>: <what is expected>` problems, shared by the Kubernetes and Tempo validators.
import type { ErrorObject } from 'ajv';
import { closest } from '../suggest';

/** Problems in the sources, each a `file[:line:col]: field: what is expected` line; nothing is written. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

export interface Problem {
  /** Where, as a readable JSON path: `spec.template.spec.containers[0].image`. */
  path: string;
  message: string;
}

/** A problem found in a built object: which object, where in it, what is wrong. */
export interface ObjectProblem extends Problem {
  /** `Kind/name` */
  object: string;
}

/** `/spec/containers/0/name` -> `spec.containers[0].name`; keys that are not identifiers are quoted. */
export function jsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(top level)';
}

export const pointerSegments = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const valueAt = (data: unknown, segments: string[]): unknown => segments.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);

/**
 * Ajv errors (compiled with `allErrors` and `verbose`) as problems. `unknownKey` may explain an unknown key
 * better than "did you mean" (e.g. a legacy key that moved).
 */
export function schemaProblems(errors: ErrorObject[], data: unknown, unknownKey?: (path: string[], key: string) => string | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const e of errors) {
    const at = pointerSegments(e.instancePath);
    const got = describe(valueAt(data, at));
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
        const explained = unknownKey?.(at, key);
        const close = closest(key, known);
        const message =
          explained ??
          (known.length
            ? `unknown field${close ? ` (did you mean "${close}"?)` : ''}; expected one of: ${known.join(', ')}`
            : 'unknown field; no fields are allowed here');
        problems.push({ path: jsonPath([...at, key]), message });
        break;
      }
      case 'required':
        problems.push({ path: jsonPath(at), message: `missing required field "${e.params.missingProperty}"` });
        break;
      case 'type':
        problems.push({ path: jsonPath(at), message: `expected ${String(e.params.type).replace(',', ' or ')}, got ${got}` });
        break;
      case 'enum':
      case 'const': {
        const allowed = (e.keyword === 'const' ? [e.params.allowedValue] : (e.params.allowedValues as unknown[])).map((v) => JSON.stringify(v));
        const close = closest(JSON.stringify(valueAt(data, at)), allowed);
        problems.push({ path: jsonPath(at), message: `expected one of ${allowed.join(', ')}${close ? ` (did you mean ${close}?)` : ''}, got ${got}` });
        break;
      }
      case 'pattern':
        problems.push({ path: jsonPath(at), message: `expected ${String(e.parentSchema?.description ?? `a value matching ${e.params.pattern}`)}, got ${got}` });
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        problems.push({ path: jsonPath(at), message: `expected a number ${e.params.comparison} ${e.params.limit}, got ${got}` });
        break;
      default:
        problems.push({ path: jsonPath(at), message: `${e.message ?? 'is invalid'}, got ${got}` });
    }
  }
  return problems;
}
