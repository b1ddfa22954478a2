// Reads the loopback S3 bucket over TLS (anonymous requests: s3rver checks signatures only when a
// request has one).
import { readFileSync } from 'node:fs';
import { httpsExchange } from './https';

export interface BlockMeta {
  key: string; // <prefix>/<tenant>/<blockID>/meta.json
  tenant: string;
  blockID: string;
  version: string;
  compactionLevel: number;
  totalObjects: number;
  totalRecords: number;
  encoding: string;
  dataEncoding: string;
  indexPageSize: number;
  size: number;
  footerSize: number;
  replicationFactor: number;
  dedicatedColumns: Array<{ s?: string; n?: string; t?: string }>;
  startTime: string;
  endTime: string;
}

/** A block as listed: compacted once its meta.json is renamed to meta.compacted.json. */
export type ListedBlock = BlockMeta & { compacted: boolean };

export class Bucket {
  private ca?: Buffer;
  constructor(
    readonly port: number,
    readonly name: string,
    private readonly caFile: string,
  ) {}

  private request(path: string) {
    this.ca ??= readFileSync(this.caFile); // written when the S3 server starts
    return httpsExchange({ host: '127.0.0.1', port: this.port, path: `/${path}`, ca: this.ca, timeout: 10_000 });
  }

  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const params = new URLSearchParams({ 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) });
      const r = await this.request(`${this.name}?${params}`);
      if (r.status !== 200) throw new Error(`listing bucket ${this.name}: HTTP ${r.status}`);
      keys.push(...[...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1]!)));
      token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(r.text)?.[1];
      if (!token) return keys;
    }
    throw new Error('bucket listing did not end within 100 pages');
  }

  /** An object's content; undefined if it is gone (e.g. a meta.json the compactor just renamed). */
  async text(key: string): Promise<string | undefined> {
    const r = await this.request(`${this.name}/${key.split('/').map(encodeURIComponent).join('/')}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`reading s3://${this.name}/${key}: HTTP ${r.status}`);
    return r.text;
  }

  /** Every block under the prefix: live ones have meta.json; compacted ones had it renamed to meta.compacted.json. */
  async blocks(prefix: string): Promise<ListedBlock[]> {
    const keys = await this.keys(prefix ? `${prefix}/` : '');
    const metas = keys.filter((k) => k.endsWith('/meta.json') || k.endsWith('/meta.compacted.json'));
    const read = await Promise.all(
      metas.map(async (key) => {
        const text = await this.text(key);
        if (text === undefined) return undefined;
        const m = JSON.parse(text);
        const parts = key.split('/');
        return {
          key,
          tenant: parts[parts.length - 3]!,
          blockID: m.blockID,
          version: m.format ?? m.version,
          compactionLevel: m.compactionLevel ?? 0,
          totalObjects: m.totalObjects ?? 0,
          totalRecords: m.totalRecords ?? 0,
          encoding: m.encoding ?? '',
          dataEncoding: m.dataEncoding ?? '',
          indexPageSize: m.indexPageSize ?? 0,
          size: m.size ?? 0,
          footerSize: m.footerSize ?? 0,
          replicationFactor: m.replicationFactor ?? 0,
          dedicatedColumns: m.dedicatedColumns ?? [],
          startTime: m.startTime,
          endTime: m.endTime,
          compacted: key.endsWith('/meta.compacted.json'),
        };
      }),
    );
    return read.filter((b) => b !== undefined);
  }
}

const decodeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
