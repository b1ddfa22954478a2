// generate renders, validates the Tempo config, and only then writes: a config Tempo would refuse (here a
// generator bug, simulated by a mocked tempoConfig) stops it with nothing written.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sandbox, type Sandbox } from './helpers/sandbox';

let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  vi.doUnmock('../generators/tempo/config');
  vi.resetModules();
});

/** generate's main with tempoConfig broken for prod. Test files share modules (vitest.config.ts), so the
 *  mock is set up on a fresh module registry and undone afterwards. */
async function generateWithBrokenConfig() {
  vi.resetModules();
  vi.doMock('../generators/tempo/config', async (original) => {
    const real = await original<typeof import('../generators/tempo/config')>();
    return {
      ...real,
      tempoConfig: (env: Parameters<typeof real.tempoConfig>[0]) => {
        const config = real.tempoConfig(env) as { ingester: Record<string, unknown> };
        if (env.name === 'prod') config.ingester.flush_all_on_shutdow = true;
        return config;
      },
    };
  });
  return (await import('../scripts/generate')).main;
}

describe('generate with a Tempo config that fails its schema', () => {
  it('names the file and the key, exits 1 and writes nothing', async () => {
    const main = await generateWithBrokenConfig();
    box = sandbox();
    box.write('overlays/prod/environment.yaml', `${box.read('overlays/prod/environment.yaml')}retention: 240h\n`);
    const before = box.snapshot();
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(main([], box.dir)).toBe(1);
    expect(errors.join('\n')).toContain('nothing was written');
    expect(errors.join('\n')).toContain('overlays/prod/tempo.yaml: ingester.flush_all_on_shutdow: unknown field (did you mean "flush_all_on_shutdown"?)');
    expect(box.snapshot()).toEqual(before);
  });
});
