/**
 * A real browser for the web client's specs: Debian's Chromium driven by playwright-core
 * (Playwright's own browser downloads cannot run here). Where /usr/bin/chromium is missing
 * the spec installs Debian's package when it can (root on Linux); CI and root without it
 * fail with the reason, anyone else skips the browser specs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** `CHROMIUM_PATH` points elsewhere (another Chromium build). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What the browser specs found: a Chromium to launch, or why there is none. */
export type ChromiumState =
  { path: string; unavailable?: undefined } | { path?: undefined; unavailable: string };

const canInstall = () => process.platform === 'linux' && process.getuid?.() === 0;

/**
 * The Chromium binary, installing Debian's `chromium` package first where this process may
 * (a minute or two, once per machine). Throws where the browser specs must run (CI, or
 * root, who could have installed it) and cannot.
 */
export function ensureChromium(): ChromiumState {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  let why = `${CHROMIUM} does not exist and this process is not root on Linux`;
  if (canInstall() && !process.env.CHROMIUM_PATH) {
    try {
      const apt = {
        stdio: 'pipe' as const,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      };
      execFileSync('apt-get', ['update', '-qq'], apt);
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], apt);
      if (existsSync(CHROMIUM)) return { path: CHROMIUM };
      why = `apt-get installed chromium but ${CHROMIUM} is missing`;
    } catch (error) {
      why = `apt-get install chromium failed: ${(error as Error).message}`;
    }
  }
  if (process.env.CI || canInstall()) {
    throw new Error(
      `The web client's browser specs need Chromium: ${why}. ` +
        "Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.",
    );
  }
  return { unavailable: why };
}

/** Headless Chromium, as for a CI container (no sandbox, no GPU, nothing phoning home). */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
