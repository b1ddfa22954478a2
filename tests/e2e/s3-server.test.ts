// The loopback S3 server must be as atomic as S3: a GET during a PUT of the same key returns the old or the
// new object whole. Tempo's pollers read the tenant index while another process rewrites it; s3rver alone
// served cut-off copies (Tempo 3.0.3 logged "unexpected EOF" and TempoTenantIndexFailures fired).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsExchange } from './https';
import { Proc, freePorts, until } from './proc';
import { selfSignedCertificate } from './stack';

const dir = mkdtempSync(join(tmpdir(), 's3-server-test-'));
let server: Proc;
let port: number;
let ca: Buffer;

const call = (method: 'GET' | 'PUT', body?: Buffer) =>
  httpsExchange({ host: '127.0.0.1', port, path: '/bucket/tenant/index.json.gz', method, ca, timeout: 5000 }, body);

beforeAll(async () => {
  port = (await freePorts(1))[0]!;
  const tls = selfSignedCertificate(join(dir, 'tls'));
  ca = readFileSync(tls.cert);
  server = new Proc('s3rver', join(dir, 's3rver.log'), process.execPath, [
    join(__dirname, 's3-server.cjs'),
    join(dir, 's3'),
    String(port),
    'bucket',
    tls.key,
    tls.cert,
  ]);
  await until('s3rver answers', 10_000, async () => ((await call('GET').catch(() => undefined)) ? true : undefined), 100);
});

afterAll(async () => {
  await server?.stop({ graceMs: 1000 });
  rmSync(dir, { recursive: true, force: true });
});

describe('loopback S3 server', () => {
  it('a GET while the same key is rewritten returns one whole version, never a cut-off one', async () => {
    const versions = [randomBytes(400_000), randomBytes(100_000)];
    expect((await call('PUT', versions[0])).status).toBe(200);
    const deadline = Date.now() + 600;
    const writer = (async () => {
      for (let i = 1; Date.now() < deadline; i++) expect((await call('PUT', versions[i % 2])).status).toBe(200);
    })();
    const reads: Buffer[] = [];
    const reader = async () => {
      while (Date.now() < deadline) reads.push((await call('GET')).body);
    };
    await Promise.all([writer, reader(), reader()]);
    const cut = reads.filter((r) => !versions.some((v) => v.equals(r)));
    expect(reads.length).toBeGreaterThan(10);
    expect(cut.map((r) => r.length)).toEqual([]);
  }, 15_000);
});
