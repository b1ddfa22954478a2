// PromQL syntax checks with Prometheus' own lezer grammar. The grammar recovers from errors by default;
// strict mode makes it throw instead, so a typo can never pass as a half-parsed tree.
import { parser } from '@prometheus-io/lezer-promql';

const strict = parser.configure({ strict: true });
type Tree = ReturnType<typeof strict.parse>;
type SyntaxNode = Tree['topNode'];

export class PromQLError extends Error {
  constructor(
    readonly expr: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid PromQL at ${position}: ${detail}\n  ${expr.replace(/\n/g, ' ')}\n  ${' '.repeat(position)}^`);
    this.name = 'PromQLError';
  }
}

/** The syntax tree of `expr`; throws PromQLError on any syntax error. */
export function parsePromQL(expr: string): Tree {
  let tree: Tree;
  try {
    tree = strict.parse(expr);
  } catch (e) {
    const at = Number(/at (\d+)/.exec(String((e as Error).message))?.[1] ?? 0);
    throw new PromQLError(expr, at, (e as Error).message);
  }
  // Strict mode throws on every error today; the walk keeps that true if the grammar ever changes.
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new PromQLError(expr, node.from, 'unexpected input');
    },
  });
  return tree;
}

const text = (expr: string, node: SyntaxNode) => expr.slice(node.from, node.to);

/** Metric names selected by `expr` (`foo{...}` and `{__name__="foo"}`), sorted and without duplicates. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parsePromQL(expr).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      if (identifier) names.add(text(expr, identifier));
      for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        if (label && value && text(expr, label) === '__name__' && op?.getChild('EqlSingle')) {
          names.add(JSON.parse(text(expr, value).replace(/^'|'$/g, '"')) as string);
        }
      }
      return false;
    },
  });
  return [...names].sort();
}

export interface Selector {
  metric: string;
  matchers: Array<{ label: string; op: string; value: string }>;
}

/** Each vector selector of `expr` with a metric name: the name and its label matchers as written. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  parsePromQL(expr).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const identifier = ref.node.getChild('Identifier');
      if (!identifier) return false;
      const matchers = (ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => ({
        label: text(expr, m.getChild('LabelName')!),
        op: text(expr, m.getChild('MatchOp')!),
        value: JSON.parse(text(expr, m.getChild('StringLiteral')!).replace(/^'|'$/g, '"')) as string,
      }));
      out.push({ metric: text(expr, identifier), matchers });
      return false;
    },
  });
  return out;
}
