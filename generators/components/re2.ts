// Mask patterns are checked as the collector will compile them: with Go's regexp, not JavaScript's RegExp.
import { RE2JS } from 're2js';

/**
 * Why the collector would reject `regex`: OTTL compiles patterns with Go's regexp (RE2 syntax), so they
 * are compiled here with re2js, a port of Go's regexp parser (same grammar, same limits, same messages:
 * no lookaround, backreferences, \Z or \C, repeat counts up to 1000, nesting up to 1000), checked against
 * Go's regexp.Compile in tests/hostile-input.test.ts. JavaScript's RegExp accepts all of those.
 * Lookaround and backreferences get a plainer explanation.
 */
function compileProblem(regex: string): string | undefined {
  const message = goCompileError(regex);
  if (message === undefined) return undefined;
  if (/unsupported Perl syntax: `\(\?[=!]/.test(message) || /\(\?<[=!]/.test(regex))
    return `"${regex}" uses lookaround (lookahead or lookbehind), which RE2 does not support (${message})`;
  if (/invalid escape sequence: `\\[1-9]/.test(message)) return `"${regex}" uses a backreference, which RE2 does not support (${message})`;
  return `"${regex}" is not a valid regular expression (${message})`;
}

/** re2js's error for `regex`, as Go's regexp.Compile would give it. */
function goCompileError(regex: string): string | undefined {
  try {
    RE2JS.compile(regex);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    // Go allows one name on several groups ((?P<n>a)|(?P<n>b): regexp.SubexpIndex takes the leftmost);
    // re2js, like C++ RE2, does not. Numbered names leave every other verdict as it was.
    if (!message.includes('duplicate capture group name')) return message;
    let n = 0;
    return goCompileError(regex.replace(/\(\?P?<(\w+)>/g, (_, name: string) => `(?P<${name}_${n++}>`));
  }
}
const re2Problems = new Map<string, string>(); // memo ('' = compiles): each load checks the patterns again
export const re2Problem = (regex: string): string | undefined =>
  (re2Problems.get(regex) ?? re2Problems.set(regex, compileProblem(regex) ?? '').get(regex)) || undefined;
