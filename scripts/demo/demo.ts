// `npm run demo` (after `npm run up`): seeds three demo people who are friends and a group
// chat with some history, through the public APIs, then prints their credentials and where
// to go. Runs twice without duplicating anything. The services' addresses are the `demo`
// profile's (scripts/stack/profiles.ts): `npm run up`'s, which these move:
//   DEMO_AUTH_URL, DEMO_PROFILE_URL, DEMO_FRIENDS_URL, DEMO_MESSENGER_URL, DEMO_GATEWAY_URL
//   DEMO_PASSWORD  the password of the demo accounts (default demo-password-1234)
import { profiles } from '../stack/profiles';
import { DEFAULT_DEMO_PASSWORD, type DemoEndpoints, type DemoResult, seedDemo } from './seed';

const env = process.env;
const demo = profiles.demo(env);

const endpoints: DemoEndpoints = {
  auth: url('DEMO_AUTH_URL', demo.auth),
  profile: url('DEMO_PROFILE_URL', demo.profile),
  friends: url('DEMO_FRIENDS_URL', demo.friends),
  messenger: url('DEMO_MESSENGER_URL', demo.messenger),
};
const gateway = url('DEMO_GATEWAY_URL', demo.gateway);

/** An address of the profile (from DEMO_*_URL or `npm run up`'s), without a trailing slash. */
function url(name: string, value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    throw new Error(`${name} is not a URL: ${value}`);
  }
}

/** Whether `base` answers `path` with a 2xx within two seconds. */
async function answers(base: string, path: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function print(result: DemoResult, gatewayUp: boolean): void {
  const rows = [
    ['name', 'email', 'password', 'nickname'],
    ...result.users.map((u) => [u.displayName, u.email, u.password, u.nickname]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    `  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd();
  const out = [
    '',
    'Demo data is ready: three friends and their group chat',
    `"${result.chat.title}" (${result.chat.messages} messages).`,
    '',
    ...rows.map(line),
    '',
  ];
  if (gatewayUp) {
    out.push(
      `Open ${gateway} and sign in as one of them; sign in as another in a second (private)`,
      'window to chat live between the two.',
      `GraphQL IDE: ${gateway}/graphql · Swagger UI: ${gateway}/docs/auth/ and ${gateway}/docs/friends/`,
    );
  } else {
    out.push(
      `The gateway (${gateway}) does not answer, so there is no web client to open;`,
      'the services answer directly:',
      `  GraphQL IDE (profile)     ${endpoints.profile}/graphql`,
      `  Swagger UI (auth)         ${endpoints.auth}/docs`,
      `  Swagger UI (friends)      ${endpoints.friends}/docs`,
      `  socket.io (messenger)     ${endpoints.messenger.replace(/^http/, 'ws')}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const down: string[] = [];
  for (const [name, base] of Object.entries<string>({ ...endpoints })) {
    if (!(await answers(base, '/health/ready'))) down.push(`${name} (${base})`);
  }
  if (down.length > 0) {
    throw new Error(`not answering: ${down.join(', ')}. Start the platform with \`npm run up\`.`);
  }
  const result = await seedDemo(endpoints, env.DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD);
  print(result, await answers(gateway, '/'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `npm run demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
