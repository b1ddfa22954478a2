// The YAML memo: the same text as the yaml library, across runs, and never for two values one JSON shares.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { toYaml } from '../generators/files';
import { persistentMemo } from '../generators/memo';

describe('toYaml', () => {
  it('emits what the yaml library emits, memoized or not', () => {
    const value = { kind: 'Deployment', spec: { replicas: 3, list: [1, 'two', null], text: 'a\nb', empty: {} } };
    const expected = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
    expect(toYaml(value)).toBe(expected);
    expect(toYaml(structuredClone(value))).toBe(expected);
  });

  it('keeps values apart that share their JSON', () => {
    expect(toYaml({ n: null })).toBe('n: null\n');
    expect(toYaml({ n: Number.NaN })).toBe('n: .nan\n');
    expect(toYaml({ m: new Map([['a', 1]]) })).toBe('m:\n  a: 1\n');
    expect(toYaml({ m: {} })).toBe('m: {}\n');
  });
});

describe('persistentMemo', () => {
  it('keeps what a run computed for the next one, and forgets it when the version changes', () => {
    const input = `input ${process.pid} ${Date.now()}`; // not in the memo file a previous run left
    const first = persistentMemo('test', 'v1');
    let computed = 0;
    const compute = () => `out-${++computed}`;
    expect(first.get(input, compute)).toBe('out-1');
    expect(first.get(input, compute)).toBe('out-1');
    first.save();
    expect(persistentMemo('test', 'v1').get(input, compute)).toBe('out-1');
    expect(persistentMemo('test', 'v2').get(input, compute)).toBe('out-2');
    expect(computed).toBe(2);
  });
});
