// "Nothing listens outside 127.0.0.1", checked on the running stack rather than on the derived configs
// (loopback.test.ts): every socket a process of the run listens on (TCP LISTEN, or an unconnected bound UDP
// socket), read from the kernel's tables, must be bound to 127.0.0.1. A default Tempo listener that no key
// of the rendered config names, or a helper's, shows up here.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Listener {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
  inode: string;
}

/** An address of /proc/net/{tcp,udp}{,6} (hex, in the kernel's byte order) as text. */
export function decodeAddress(raw: string): string {
  const hex = raw.toLowerCase();
  if (hex.length === 8)
    return (hex.match(/../g) ?? [])
      .map((b) => Number.parseInt(b, 16))
      .reverse()
      .join('.');
  // IPv6: four 32-bit words, each in host (little-endian) order.
  const words = (hex.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const groups = words.join('').match(/.{4}/g) ?? [];
  const mapped = groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff';
  if (mapped) return `::ffff:${decodeAddress(words[3]!.match(/../g)!.reverse().join(''))}`;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/** The listening sockets of the kernel's tables: TCP in LISTEN (0A), UDP unconnected (07). */
export function parseListeners(proto: Listener['proto'], table: string): Listener[] {
  const listening = proto.startsWith('tcp') ? '0A' : '07';
  return table
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[3] === listening)
    .map((f) => {
      const [addr, port] = f[1]!.split(':');
      return { proto, address: decodeAddress(addr!), port: Number.parseInt(port!, 16), inode: f[9]! };
    });
}

export const isLoopbackOnly = (address: string) => address === '127.0.0.1' || address === '::ffff:127.0.0.1';

/** The pids in each process group, with their group (a process started by the run leads its own group: its children are in it). */
function groupMembers(groups: Set<number>): Array<[pid: number, group: number]> {
  const pids: Array<[number, number]> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after its last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (groups.has(pgrp)) pids.push([Number(entry), pgrp]);
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* exited meanwhile */
  }
  return inodes;
}

/**
 * Every listening socket of the named processes' groups, and of this process (its blackhole and sidecar
 * stand-in), with its owner; fails naming each one bound elsewhere than 127.0.0.1.
 */
export function checkLoopbackListeners(procs: Array<{ name: string; pid: number | undefined }>): string {
  const owner = new Map<string, string>();
  const running = procs.filter((p): p is { name: string; pid: number } => p.pid !== undefined);
  const byGroup = new Map(running.map((p) => [p.pid, p.name]));
  for (const [pid, group] of groupMembers(new Set(byGroup.keys()))) {
    const name = byGroup.get(group)!;
    for (const inode of socketInodes(pid)) owner.set(inode, pid === group ? name : `${name} (child ${pid})`);
  }
  for (const inode of socketInodes(process.pid)) owner.set(inode, 'the e2e itself');
  const listeners = (['tcp', 'tcp6', 'udp', 'udp6'] as const).flatMap((proto) => {
    try {
      return parseListeners(proto, readFileSync(`/proc/net/${proto}`, 'utf8'));
    } catch {
      return [];
    }
  });
  const ours = listeners.filter((l) => owner.has(l.inode));
  const outside = ours.filter((l) => !isLoopbackOnly(l.address));
  if (outside.length)
    throw new Error(
      `${outside.length} sockets listen outside 127.0.0.1: ${outside
        .slice(0, 8)
        .map((l) => `${owner.get(l.inode)} ${l.proto} ${l.address}:${l.port}`)
        .join(', ')}`,
    );
  const tcp = ours.filter((l) => l.proto.startsWith('tcp')).length;
  return `${ours.length} listening sockets (${tcp} TCP, ${ours.length - tcp} UDP) of ${new Set(ours.map((l) => owner.get(l.inode))).size} processes, all on 127.0.0.1`;
}
