// Every Tempo, tempo-vulture and Go metric of the catalogue on the scraped processes' /metrics, in each
// format they serve when asked for OpenMetrics 1.0.0 and for text 0.0.4 (Tempo serves both; tempo-vulture
// only text): sample names and `# TYPE` as catalogue.ts's exposition() says. On a 3.x stack Tempo 3's own
// metrics are required too and the 2.10-only ones (TEMPO2_ONLY) must be absent; a declaration of
// tests/helpers/metrics/loopback.ts the scrape contradicts fails.
import { expectThat } from './checks';
import { FORMATS, METRICS, exporterOf, exposition, type Format } from '../helpers/metrics/catalogue';
import { type TempoLine, declarationOf } from '../helpers/metrics/loopback';
import type { Plan } from './plan';
import type { RenderedEnvironment } from './rendered';
import { scrapeTargets } from './scrape-config';
import { request } from './tempo-api';
import { zoneAware } from './zones';

export async function checkExposition(env: RenderedEnvironment, plan: Plan, tempo: TempoLine): Promise<string> {
  type Seen = { types: Map<string, string>; samples: Set<string> };
  const seen = new Map<string, Seen>(); // "<tempo|vulture> <format served>"
  const served = new Map<string, Set<Format>>();
  for (const t of scrapeTargets(plan)) {
    const kind = t.process.role === 'vulture' ? 'vulture' : 'tempo';
    for (const asked of Object.keys(FORMATS) as Format[]) {
      const r = await request(`${t.scheme}://${t.address}/metrics`, { headers: { Accept: FORMATS[asked] } });
      const type = r.contentType ?? '';
      const format: Format = type.startsWith('application/openmetrics-text') ? 'openmetrics' : 'text';
      expectThat(kind !== 'tempo' || format === asked, `${t.process.id}: asked for ${FORMATS[asked]}, got ${type}`);
      served.set(kind, (served.get(kind) ?? new Set()).add(format));
      const into = seen.get(`${kind} ${format}`) ?? { types: new Map(), samples: new Set() };
      for (const line of r.text.split('\n')) {
        const m = /^# TYPE (\S+) (\S+)/.exec(line);
        if (m) into.types.set(m[1]!, m[2]!);
        else if (line && !line.startsWith('#')) into.samples.add(/^[^{ ]+/.exec(line)![0]);
      }
      seen.set(`${kind} ${format}`, into);
    }
  }
  const problems: string[] = [];
  const staleDeclarations: string[] = [];
  const checked = new Set<string>();
  const exporters = tempo === '3.0' ? ['tempo', 'tempo3', 'vulture', 'go'] : ['tempo', 'vulture', 'go'];
  // Tenants with blocks of their own make the tenant-overrides series exist.
  const tenantBlocks = Object.keys(env.overrides?.overrides ?? {}).length > 0;
  for (const [name, info] of Object.entries(METRICS)) {
    const exporter = exporterOf(info);
    if (!exporters.includes(exporter)) continue;
    const kind = exporter === 'vulture' ? 'vulture' : 'tempo';
    // Declared absent on loopback, unless this run has what makes it exist: tenants with blocks of
    // their own (the tenant-overrides series), a zone-aware ring (what only such a ring exposes).
    const declaration = declarationOf(name, tempo);
    const absence = declaration?.absence;
    const exists = (tenantBlocks && absence === 'tenant-overrides') || (absence === 'zone-aware-ring' && zoneAware(env.tempo));
    const declared = exists ? undefined : declaration;
    for (const format of served.get(kind) ?? []) {
      const { types, samples } = seen.get(`${kind} ${format}`)!;
      const want = exposition(name, format);
      const present = want.samples.filter((x) => samples.has(x));
      if (declared && present.length && declared.absence !== 'error-only') staleDeclarations.push(`${name} (${declared.absence})`);
      if (declared) continue;
      if (present.length !== want.samples.length) problems.push(`${kind} ${format}: no ${want.samples.filter((x) => !present.includes(x)).join(', ')}`);
      else if (types.get(want.family) !== want.type)
        problems.push(`${kind} ${format}: # TYPE ${want.family} ${types.get(want.family)}, the catalogue says ${want.type}`);
      else checked.add(name);
    }
  }
  expectThat(!problems.length, `the catalogue does not match the scrape:\n    ${problems.join('\n    ')}`);
  expectThat(!staleDeclarations.length, `declared absent, yet exposed: ${[...new Set(staleDeclarations)].join(', ')}`);
  const formats = [...served].map(([kind, f]) => `${kind}: ${[...f].join(' and ')}`).join('; ');
  return `${checked.size} metrics exposed as the catalogue says (sample names and # TYPE; ${formats}; Tempo ${tempo})`;
}
