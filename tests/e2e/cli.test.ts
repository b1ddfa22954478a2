// npm run e2e's verdicts, its skip without a binary (a failure under CI=true), the tenants it derives,
// and the small parsers the run depends on. No binary needed.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, verdict } from '../../scripts/e2e';
import { ALERT_FAULT_TIMINGS, applyAlertFaultTimings } from './alert-faults';
import { findBinaries } from './binaries';
import { CheckFailed } from './checks';
import { readRendered } from './rendered';
import { durationMs } from './context';
import type { E2EResult } from './run';
import { configuredTenants } from './tenants';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const result = (env: string, failedCheck?: string): E2EResult => ({
  env,
  ok: !failedCheck,
  failure: failedCheck ? new CheckFailed(failedCheck, 'because') : undefined,
  results: [],
  wallMs: 1,
  notes: [],
  dir: '',
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('npm run e2e', () => {
  it('passes when every run passed; fails on any failure', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(verdict([result('a'), result('b')], undefined)).toBe(0);
    expect(verdict([result('a'), result('b', 'ring')], undefined)).toBe(1);
  });

  it('with an expected failure, passes only if every run failed at that check', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(verdict([result('prod', 'push otlp.grpc')], 'push otlp.grpc')).toBe(0);
    expect(verdict([result('prod', 'push otlp.grpc as acme')], 'push otlp.grpc')).toBe(0);
    expect(verdict([result('prod')], 'ring')).toBe(1);
    expect(verdict([result('prod', 'flush writes blocks')], 'ring')).toBe(1);
  });

  it('without a Tempo binary it skips with the reason and how to get one; under CI=true it fails', async () => {
    vi.stubEnv('TEMPO_BIN', '/nonexistent/tempo');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(findBinaries(ROOT).found).toBeUndefined();
    vi.stubEnv('CI', '');
    expect(await main(['--env', 'prod'], ROOT)).toBe(0);
    expect(log.mock.calls.flat().join('\n')).toMatch(/skipped: tempo: TEMPO_BIN=\/nonexistent\/tempo does not exist[\s\S]*tempo_2\.10\.8_linux_amd64\.tar\.gz/);
    vi.stubEnv('CI', 'true');
    expect(await main(['--env', 'prod'], ROOT)).toBe(1);
    expect(error.mock.calls.flat().join('\n')).toMatch(/CI=true: a missing binary is a failure/);
  });

  it('a tempo without tempo-vulture beside it: says how to build vulture from the tag (the release tarball has none)', () => {
    vi.stubEnv('TEMPO_BIN', process.execPath); // an existing file, in a directory without tempo-vulture
    vi.stubEnv('TEMPO_VULTURE_BIN', '');
    vi.stubEnv('PATH', '/nonexistent');
    const vulture = findBinaries(ROOT).missing.find((m) => m.startsWith('tempo-vulture'));
    expect(vulture).toMatch(/not beside tempo[\s\S]*git clone --depth 1 --branch v2\.10\.8 [\s\S]*go build -mod=vendor -o \S+ \.\/cmd\/tempo-vulture/);
    expect(vulture).not.toMatch(/tarball has it/);
  });

  it('rejects unknown options', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['--no-such-option'], ROOT)).toBe(2);
  });
});

describe('e2e helpers', () => {
  it('reads Go durations', () => {
    expect(durationMs('5s')).toBe(5000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('250ms')).toBe(250);
    expect(() => durationMs('soon')).toThrow();
  });

  it('the alert-fault run changes only its declared timing, and says what it changed', () => {
    const env = readRendered(ROOT, 'prod');
    const before = structuredClone(env.tempo);
    const notes = applyAlertFaultTimings(env.tempo);
    expect(notes).toHaveLength(ALERT_FAULT_TIMINGS.length);
    expect(env.tempo.ingester.lifecycler.ring.heartbeat_timeout).toBe('1m');
    // Put back what was rendered: nothing else differs.
    const rendered = before.ingester.lifecycler.ring.heartbeat_timeout;
    if (rendered === undefined) delete env.tempo.ingester.lifecycler.ring.heartbeat_timeout;
    else env.tempo.ingester.lifecycler.ring.heartbeat_timeout = rendered;
    expect(env.tempo).toEqual(before);
    expect(notes[0]).toMatch(/^alert-fault run: ingester\.lifecycler\.ring\.heartbeat_timeout .* -> 1m on loopback: /);
  });

  it('configured tenants: the overrides blocks and every X-Scope-OrgID the rendered clients send', () => {
    const env = readRendered(ROOT, 'prod');
    env.overrides = { overrides: { acme: { ingestion: { rate_limit_bytes: 1 } }, '*': {} } };
    env.objects = [
      { kind: 'Deployment', metadata: { name: 'v' }, spec: { template: { metadata: {}, spec: { containers: [{ args: ['-tempo-org-id=vulture-tenant'] }] } } } },
      { kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'collector.yaml': 'exporters:\n  otlp:\n    headers:\n      X-Scope-OrgID: agents\n' } },
      {
        kind: 'ConfigMap',
        metadata: { name: 'g' },
        data: {
          'ds.yaml':
            'datasources:\n  - type: tempo\n    jsonData: { httpHeaderName1: X-Scope-OrgID }\n    secureJsonData: { httpHeaderValue1: "team-a|team-b" }\n',
        },
      },
      { kind: 'ConfigMap', metadata: { name: 'd' }, data: { 'dashboard.json': '{"not": "tenants"' } },
    ];
    expect(configuredTenants(env)).toEqual(['acme', 'agents', 'team-a', 'team-b', 'vulture-tenant']);
  });
});
