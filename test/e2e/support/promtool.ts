/**
 * promtool, Prometheus's own checker, for the specs that lint what the services export
 * (`promtool check metrics`) and the rules under ops/ (`check config`, `test rules`). It
 * ships in Debian's `prometheus` package; where it is missing the specs install that
 * package when they can (root on Linux, as for Chromium and NGINX). CI and root without it
 * fail with the reason; anyone else skips only the promtool checks.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** `PROMTOOL_PATH` points at another build; otherwise the one on PATH. */
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

/** A promtool to run, or why there is none. */
export type PromtoolState =
  { path: string; unavailable?: undefined } | { path?: undefined; unavailable: string };

const runs = (command: string) => spawnSync(command, ['--version']).error === undefined;
const canInstall = () => process.platform === 'linux' && process.getuid?.() === 0;

/**
 * promtool, installing Debian's `prometheus` package first where this process may (its
 * init script does not start a server in a container, and only the binary is used).
 * Throws where the checks must run (CI, or root, who could have installed it) and cannot.
 */
export function ensurePromtool(): PromtoolState {
  if (runs(PROMTOOL)) return { path: PROMTOOL };
  let why = `${PROMTOOL} is not installed and this process is not root on Linux`;
  if (canInstall() && !process.env.PROMTOOL_PATH) {
    try {
      const apt = {
        stdio: 'pipe' as const,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      };
      // Waits for a dpkg lock held by another install (the gateway's, Chromium's).
      const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
      execFileSync('apt-get', [...lockWait, 'update', '-qq'], apt);
      execFileSync(
        'apt-get',
        [...lockWait, 'install', '-y', '-qq', '--no-install-recommends', 'prometheus'],
        apt,
      );
      if (runs(PROMTOOL)) return { path: PROMTOOL };
      why = 'apt-get installed prometheus but promtool does not run';
    } catch (error) {
      why = `apt-get install prometheus failed: ${(error as Error).message}`;
    }
  }
  if (process.env.CI || canInstall()) {
    throw new Error(
      `The promtool checks need promtool: ${why}. ` +
        "Install Debian's prometheus package (apt-get install prometheus) or set PROMTOOL_PATH.",
    );
  }
  return { unavailable: why };
}

/** Runs promtool with `input` on stdin; its exit status and everything it printed. */
export function promtool(
  path: string,
  args: string[],
  input?: string,
): { status: number | null; output: string } {
  const result = spawnSync(path, args, { input, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
