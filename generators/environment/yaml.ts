// Reads an environment file as safely as a hostile file demands: stat before reading (a symlink to
// /dev/zero or a FIFO is refused, not read), a size limit, UTF-8 only; then YAML with its hazards turned
// into `file:line:col: field: expected ...` problems: several documents, nesting that would exhaust the
// stack, alias bombs, duplicate keys. The result knows where each field is, so a message costs O(1).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync, type Stats, statSync } from 'node:fs';
import { Composer, type CST, type Document, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser } from 'yaml';

type Token = CST.Token;
import { InputError } from '../validation/messages';

/** An environment file is ~100 lines; 1 MiB leaves room for thousands of tenants and stops a runaway file. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Parser depth (a mapping or list level is one or two); the deepest field is about ten down. */
export const MAX_NESTING = 64;
/** The tags of YAML 1.2's core schema: `!!str 5` is fine; `!!set`, `!!binary` or `!custom` are not plain values. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/** Alias expansions toJS allows (yaml's default): an alias bomb expands exponentially. */
export const MAX_ALIASES = 100;

function kind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (not permitted)',
  ELOOP: 'is a symlink loop',
};

/** The text of a regular file of at most `limit` bytes; anything else is an InputError naming `shown`. */
export function readTextFile(path: string, shown: string, limit = MAX_FILE_BYTES, expected = 'an environment file'): string {
  const refuse = (why: string): never => {
    throw new InputError([`${shown}: ${why}`]);
  };
  const failed = (e: unknown): never => refuse(REASONS[(e as NodeJS.ErrnoException).code ?? ''] ?? `cannot be read (${(e as Error).message})`);
  let stats: Stats;
  try {
    stats = statSync(path); // follows symlinks: a link to /dev/zero is a character device
  } catch (e) {
    return failed(e);
  }
  const link = lstatSync(path).isSymbolicLink() ? ` (a symlink to ${readlinkSync(path)})` : '';
  if (!stats.isFile()) refuse(`is ${kind(stats)}${link}; expected a regular file`);
  const tooBig = (size: number) => refuse(`is ${size} bytes; expected at most ${limit} bytes (${limit / 1024} KiB) for ${expected}`);
  if (stats.size > limit) tooBig(stats.size);
  let fd: number;
  try {
    // O_NONBLOCK: were it swapped for a FIFO since the stat, open must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return failed(e);
  }
  try {
    if (!fstatSync(fd).isFile()) refuse(`changed while being read; expected a regular file`);
    const buffer = Buffer.alloc(limit + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size <= limit; size += n) n = readSync(fd, buffer, size, limit + 1 - size, null);
    if (size > limit) tooBig(size);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, size));
    } catch {
      return refuse(`is not UTF-8 text; expected ${expected}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** A parsed file: its data, and where each dotted field path is (`:line:col`, or '' when nowhere). */
export interface ParsedYaml {
  document: Document;
  data: unknown;
  position(path: string): string;
}

const firstLine = (message: string) => message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

/** Parses one YAML document; every problem of the file is thrown at once as an InputError. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined) return '';
    const { line, col } = lines.linePos(offset);
    return `:${line}:${col}`;
  };
  // The parser keeps its own stack (no recursion): refuse deep nesting before anything recursive sees it.
  const parser = new Parser(lines.addNewLine);
  const tokens: Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > MAX_NESTING) {
      throw new InputError([
        `${file}${at(parser.offset)}: nesting deeper than ${MAX_NESTING} levels; expected an environment file (its deepest field is about ten levels down)`,
      ]);
    }
  }
  for (const token of parser.end()) tokens.push(token);
  // resolveKnownTags false: YAML 1.1's !!set, !!binary, !!timestamp ... would become a Set, bytes or a Date
  // that the schema sees as an empty mapping; unknown tags are refused below.
  const documents = [...new Composer({ uniqueKeys: false, resolveKnownTags: false }).compose(tokens, false, text.length)];
  if (documents.length === 0) throw new InputError([`${file}: the file is empty; expected a mapping with at least cluster, aws and s3`]);
  const document = documents[0]!;
  const problems = document.errors.map((e) => `${file}${at(e.pos[0])}: YAML syntax error: ${firstLine(e.message)}`);

  if (documents.length > 1) {
    problems.push(
      `${file}${at(documents[1]!.range[0])}: a second YAML document starts here; expected one document per environment file (remove this "---" and what follows, or merge it into the first)`,
    );
  }
  const index = new Map<string, number>();
  let firstAlias: number | undefined;
  const walk = (node: unknown, path: string[]): void => {
    if (isAlias(node)) firstAlias ??= node.range?.[0];
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag && !CORE_TAGS.has(tag)) {
      const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
      problems.push(
        `${file}${at((node as { range?: number[] }).range?.[0])}: ${path.join('.') || '(top level)'}: the YAML tag ${shown} is not supported; expected a plain value (no tag)`,
      );
    }
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const keyAt = (pair.key as { range?: number[] } | null)?.range?.[0] ?? (pair.value as { range?: number[] } | null)?.range?.[0];
        // A "" key is a name the schema or its check refuses; ~ or a collection cannot be one.
        if (!isScalar(pair.key) || pair.key.value === null) {
          const got = isScalar(pair.key) || pair.key === null ? 'null' : isMap(pair.key) ? 'a mapping' : 'a list';
          problems.push(`${file}${at(keyAt)}: ${path.join('.') || '(top level)'}: a key is ${got}; expected a name`);
          continue;
        }
        const key = String(pair.key.value);
        const full = [...path, key].join('.');
        if (seen.has(key)) {
          problems.push(`${file}${at(keyAt)}: ${full}: duplicate key "${key}" (first at line ${at(seen.get(key)).split(':')[1]}); expected each key once`);
          continue;
        }
        seen.set(key, keyAt);
        const valueAt = (pair.value as { range?: number[] } | null)?.range?.[0];
        index.set(full, valueAt ?? keyAt ?? 0);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        index.set([...path, i].join('.'), (item as { range?: number[] } | null)?.range?.[0] ?? 0);
        walk(item, [...path, String(i)]);
      });
    }
  };
  walk(document.contents, []);
  if (problems.length) throw new InputError(problems);
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new InputError([
      `${file}${at(firstAlias)}: YAML aliases expand to too many values (an alias bomb); expected aliases (*name) to expand to at most ${MAX_ALIASES} values`,
    ]);
  }
  return {
    document,
    data,
    position(path) {
      for (let parts = path === '' ? [] : path.split('.'); parts.length > 0; parts = parts.slice(0, -1)) {
        const offset = index.get(parts.join('.'));
        if (offset !== undefined) return at(offset);
      }
      return '';
    },
  };
}
