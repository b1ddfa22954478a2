// What the e2e's collector-agent and Grafana clients are built from, for every environment with TLS: the
// agent's exporter reads the CA through its DaemonSet's mounts and checks the distributor under a name its
// certificate carries; each Tempo data source likewise for the query-frontend. A client rendered plaintext,
// unverified or without its CA is refused before the stack starts. The handshakes are the e2e's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Pki } from './pki';
import { type Plan, planStack } from './plan';
import { type Any, environmentNames, readRendered } from './rendered';
import { agentExporters, tempoDataSources } from './tls-clients';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tls-clients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'ca.crt'), 'the run CA');
const pki = { dir, ca: join(dir, 'ca.crt'), secrets: new Map() } as unknown as Pki;

const plans: Plan[] = environmentNames(ROOT)
  .map((name) => {
    let port = 21_000;
    return planStack(readRendered(ROOT, name), () => port++, join(dir, name));
  })
  .filter((p) => p.env.tempo.server?.grpc_tls_config?.cert_file);
const dnsNames = (plan: Plan, secret: string): string[] =>
  plan.env.objects.find((o) => o.kind === 'Certificate' && o.spec.secretName === secret)?.spec.dnsNames ?? [];
/** A copy of the plan whose first rendered ConfigMap that `pick` selects has `edit` applied to its one YAML file. */
function editedConfigMap(plan: Plan, pick: (o: Any) => boolean, edit: (doc: Any) => void): Plan {
  const objects = structuredClone(plan.env.objects);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && pick(o));
  const [file, text] = Object.entries<string>(cm.data)[0]!;
  const doc = parse(text);
  edit(doc);
  cm.data[file] = stringify(doc);
  return { ...plan, env: { ...plan.env, objects } };
}
/** The agent's config (kustomize's generator adds a hash to the name). */
const agentConfig = (o: Any) => /^tempo-stack-collector-[a-z0-9]+$/.test(o.metadata.name);
const datasources = (o: Any) => o.metadata.labels?.grafana_datasource === '1';

describe('the e2e builds the collector agent and Grafana from what is rendered', () => {
  it('there are environments with TLS', () => expect(plans.length).toBeGreaterThan(0));

  for (const plan of plans) {
    describe(plan.env.name, () => {
      it("the agent's exporter reads ca.crt of the distributor's Secret through its mounts and checks a name the certificate carries", () => {
        const [e, ...more] = agentExporters(plan, pki);
        expect(more).toEqual([]);
        expect(e!.ca.toString()).toBe('the run CA');
        expect(dnsNames(plan, 'tempo-stack-distributor-tls')).toContain(e!.servername);
      });

      it('each Tempo data source checks the query-frontend under a name its certificate carries', () => {
        const sources = tempoDataSources(plan, pki);
        expect(sources.length).toBeGreaterThan(0);
        for (const s of sources) expect(dnsNames(plan, 'tempo-stack-query-frontend-tls'), s.name).toContain(s.servername);
      });

      it('refuses an exporter rendered plaintext or with a CA on no mounted Secret, a data source that skips the CA', () => {
        const insecure = editedConfigMap(plan, agentConfig, (d) => (d.exporters.otlp_grpc.tls = { insecure: true }));
        expect(() => agentExporters(insecure, pki)).toThrow(/sends plaintext/);
        const unmounted = editedConfigMap(plan, agentConfig, (d) => (d.exporters.otlp_grpc.tls.ca_file = '/etc/ssl/ca.crt'));
        expect(() => agentExporters(unmounted, pki)).toThrow(/\/etc\/ssl\/ca\.crt is on no Secret it mounts/);
        const system = editedConfigMap(plan, datasources, (d) => {
          for (const ds of d.datasources) delete ds.jsonData?.tlsAuthWithCACert;
        });
        expect(() => tempoDataSources(system, pki)).toThrow(/has no tlsAuthWithCACert/);
      });
    });
  }
});
