// A minimal RFC 6902 JSON patch between two objects: what an overlay writes for each object that
// differs from base/ (layout.ts). kustomize applies it; tests prove base plus patches equals the render.

export type PatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** A minimal RFC 6902 patch from `from` to `to`; a list whose length changes is replaced whole. */
export function jsonPatch(from: unknown, to: unknown, path = ''): PatchOp[] {
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((item, i) => jsonPatch(item, to[i], `${path}/${i}`));
  }
  if (isObject(from) && isObject(to)) {
    const ops: PatchOp[] = [];
    for (const k of Object.keys(from)) if (!(k in to)) ops.push({ op: 'remove', path: `${path}/${escapeKey(k)}` });
    for (const [k, v] of Object.entries(to)) {
      ops.push(...(k in from ? jsonPatch(from[k], v, `${path}/${escapeKey(k)}`) : [{ op: 'add' as const, path: `${path}/${escapeKey(k)}`, value: v }]));
    }
    return ops;
  }
  return [{ op: 'replace', path, value: to }];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
