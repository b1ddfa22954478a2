// One HTTPS exchange, body read whole. The e2e's clients check the server themselves (the run's CA, the
// in-cluster server name, a loopback address behind a Service's Host), which fetch cannot do.
import type { IncomingHttpHeaders } from 'node:http';
import { type RequestOptions, request } from 'node:https';

export interface HttpsReply {
  status: number;
  body: Buffer;
  text: string;
  headers: IncomingHttpHeaders;
}

export function httpsExchange(options: RequestOptions & { timeout: number }, body?: string | Buffer): Promise<HttpsReply> {
  const what = `${options.method ?? 'GET'} https://${options.host}:${options.port}${options.path ?? '/'}`;
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: all, text: all.toString('utf8'), headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${what}: no answer within ${options.timeout / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
