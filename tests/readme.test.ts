// The README must stay true: every TraceQL block and API query parses, every in-cluster address names a
// Service and port the stack really has, the stack table lists exactly the ports each Service exposes, and
// the contents line links every section.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTraceQL } from './helpers/grafana';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const fenced = (language: string) => [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!.trim());

describe('README: querying traces', () => {
  const traceql = fenced('traceql');
  const apiQueries = fenced('bash').flatMap((block) => [...block.matchAll(/--data-urlencode 'q=([^']+)'/g)].map((m) => m[1]!));

  it('has TraceQL examples, one query per block', () => {
    expect(traceql.length).toBeGreaterThanOrEqual(15);
    for (const q of traceql) expect(q.split('\n'), q).toHaveLength(1);
  });

  it('every TraceQL example parses (lezer-traceql, strict)', () => {
    for (const q of [...traceql, ...apiQueries]) expect(() => parseTraceQL(q)).not.toThrow();
    expect(apiQueries.length).toBeGreaterThan(0);
  });

  it('none of the seed mistakes come back', () => {
    for (const q of [...traceql, ...apiQueries]) {
      expect(q, 'unscoped service.name: use resource.service.name').not.toMatch(/(^|[^.\w])service\.name/);
      expect(q, 'span.kind is an attribute named kind: use the intrinsic, kind = client').not.toMatch(/span\.kind/);
      expect(q, 'rootSpanCount does not exist').not.toMatch(/rootSpanCount/);
      expect(q, 'no quantile(): quantile_over_time(duration, 0.95)').not.toMatch(/\|\s*quantile\(/);
      expect(q, 'no "count by": | rate() by (...) or | count() > N').not.toMatch(/count by/);
    }
  });

  it('in-cluster addresses name a real Service and port (the seed had tempo-query-frontend)', () => {
    const services = build('overlays/prod').filter((o) => o.kind === 'Service') as Any[];
    const addresses = [...readme.matchAll(/([a-z0-9-]+)\.observability\.svc\.cluster\.local:(\d+)/g)];
    expect(addresses.length).toBeGreaterThan(0);
    for (const [address, name, port] of addresses) {
      const svc = services.find((s) => s.metadata.name === name);
      expect(svc, `${address}: no Service ${name}`).toBeDefined();
      expect(
        svc.spec.ports.map((p: Any) => p.port),
        address,
      ).toContain(Number(port));
    }
  });
});

describe('README: the stack table', () => {
  it("each component's ports are exactly its Service's ports", () => {
    const section = readme.slice(readme.indexOf('\n## The stack\n'), readme.indexOf('\n### Tempo configuration\n'));
    const rows = [...section.matchAll(/^\| ([a-z-]+)[^|]*\|[^|]*\| ([^|]+) \|$/gm)].filter(([, component]) => component !== 'component');
    expect(rows.map(([, component]) => component)).toEqual(expect.arrayContaining(['distributor', 'ingester', 'querier', 'compactor']));
    const services = build('overlays/prod').filter((o) => o.kind === 'Service') as Any[];
    for (const [, component, ports] of rows) {
      const svc = services.find((s) => s.metadata.name === `tempo-stack-${component}`);
      expect(svc, `no Service tempo-stack-${component}`).toBeDefined();
      const documented = new Set([...ports!.matchAll(/\b\d{3,5}\b/g)].map((m) => Number(m[0])));
      expect([...documented].sort(), component).toEqual(svc.spec.ports.map((p: Any) => p.port).sort());
    }
  });
});

describe('README: contents', () => {
  it('links every section, in order, by its GitHub anchor', () => {
    const anchor = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\- _]/gu, '')
        .replace(/ /g, '-');
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    const contents = /^\*\*Contents:\*\* (.+)$/m.exec(readme)?.[1] ?? '';
    const links = [...contents.matchAll(/\[([^\]]+)\]\(#([^)]+)\)/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual(headings.map((h) => [h, anchor(h)]));
  });
});

describe('README: versions', () => {
  it('every npm package it names with a version is the one package.json pins (it once said prometheus-operator 4.4.4 for 6.0.0)', () => {
    const pins: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies;
    const named = [...readme.matchAll(/`((?:@[a-z0-9-]+\/)?[a-z0-9.-]+)`\s+(\d+\.\d+\.\d+)/g)].filter((m) => m[1]! in pins);
    expect(named.length).toBeGreaterThanOrEqual(6);
    for (const [, name, version] of named) expect(`${name} ${version}`).toBe(`${name} ${pins[name!]}`);
  });
});
