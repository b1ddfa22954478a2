// The kernel's socket tables as the loopback-only check reads them (no Tempo needed).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkLoopbackListeners, decodeAddress, isLoopbackOnly, parseListeners } from './listeners';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0CEA 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:0CEB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:0CEC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 0100007F:1E61 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 666 2 0000000000000000 0
  2: 00000000:1E62 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0`;

describe('e2e loopback-only check', () => {
  it('decodes the kernel addresses, IPv4 and IPv6 (v4-mapped too)', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('0:0:0:0:0:0:0:0');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('0:0:0:0:0:0:0:1');
  });

  it('lists TCP sockets in LISTEN and unconnected UDP ones, not connections', () => {
    expect(parseListeners('tcp', TCP).map((l) => `${l.address}:${l.port} ${l.inode}`)).toEqual(['127.0.0.1:3306 111', '0.0.0.0:8080 222']);
    expect(parseListeners('tcp6', TCP6).map((l) => `${l.address}:${l.port}`)).toEqual(['::ffff:127.0.0.1:3307', '0:0:0:0:0:0:0:0:3308']);
    expect(parseListeners('udp', UDP).map((l) => `${l.address}:${l.port}`)).toEqual(['127.0.0.1:7777', '0.0.0.0:7778']);
    expect(['127.0.0.1', '::ffff:127.0.0.1', '0.0.0.0', '0:0:0:0:0:0:0:0', '10.0.0.1'].map(isLoopbackOnly)).toEqual([true, true, false, false, false]);
  });

  it("finds this process's own listener on every interface, and passes one on 127.0.0.1", async () => {
    const listen = async (host: string) => {
      const s = createServer();
      await new Promise<void>((resolve) => s.listen(0, host, resolve));
      return s;
    };
    const loopback = await listen('127.0.0.1');
    try {
      expect(checkLoopbackListeners([])).toMatch(/all on 127\.0\.0\.1$/);
      const wide = await listen('0.0.0.0');
      const port = (wide.address() as { port: number }).port;
      try {
        expect(() => checkLoopbackListeners([])).toThrow(new RegExp(`the e2e itself tcp 0\\.0\\.0\\.0:${port}`));
      } finally {
        await new Promise((resolve) => wide.close(resolve));
      }
    } finally {
      await new Promise((resolve) => loopback.close(resolve));
    }
  });
});
