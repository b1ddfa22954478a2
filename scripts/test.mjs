#!/usr/bin/env node
// npm test: the type-check, the lint and the vitest suite at once. tsc and Biome each keep one core busy
// for a few seconds; run one after the other they would leave the other core idle while vitest waits.
// vitest prints as it goes; the others' output is printed after it, and only when they fail.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(name, command, args, quiet) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (quiet) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, signal, output }));
  });
}

const results = await Promise.all([
  run('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', '.'], true),
  run('biome check', bin('biome'), ['check'], true),
  run('vitest run', bin('vitest'), ['run', ...process.argv.slice(2)], false),
]);
let failed = false;
for (const r of results) {
  if (r.code === 0) continue;
  failed = true;
  if (r.output) process.stderr.write(`\n${r.name} failed:\n${r.output}`);
  else process.stderr.write(`\n${r.name} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})\n`);
}
const ok = results.filter((r) => r.code === 0).map((r) => r.name);
process.stderr.write(`\n${failed ? 'npm test: FAILED' : 'npm test: passed'} (${ok.join(', ') || 'nothing'} passed)\n`);
process.exitCode = failed ? 1 : 0;
