// `npm run admin:grant -- <email>` · `npm run admin:revoke -- <email>`
//
// Grants or revokes the `admin` role of the account registered with <email>, in auth's
// database: AUTH_DATABASE_URL, else DATABASE_URL, else auth's default
// (postgres://postgres@127.0.0.1:5432/auth, the database of `npm run up`). The change and
// an audit entry — who (`cli`, the OS user running this) and when — commit together in
// `account_audit_log`. The role reaches the account's access tokens at its next login or
// refresh; auth's administrative RPCs also check the database, so a revoked role stops
// working there at once (ADR 0022).
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ACTIONS = { grant: 'role_granted', revoke: 'role_revoked' } as const;
type Command = keyof typeof ACTIONS;
const ROLE = 'admin';

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [commandInput, emailInput] = positionals;
if (!commandInput || !(commandInput in ACTIONS) || !emailInput) {
  console.error('usage: npm run admin:grant -- <email>   |   npm run admin:revoke -- <email>');
  process.exit(2);
}
const command = commandInput as Command;
// auth stores emails trimmed and lower-cased: one account per address however it is typed.
const email = emailInput.trim().toLowerCase();
const actor = operator();
const url =
  process.env.AUTH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/auth';
const say = (line: string) => process.stdout.write(`[admin:${command}] ${line}\n`);

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const found = await client.query<{ user_id: string; roles: string[] }>(
      'SELECT user_id, roles FROM credentials WHERE email = $1 FOR UPDATE',
      [email],
    );
    if (found.rowCount === 0) {
      await client.query('ROLLBACK');
      console.error(`[admin:${command}] no account is registered with ${email}`);
      process.exitCode = 1;
    } else {
      const { user_id: userId, roles } = found.rows[0];
      const has = roles.includes(ROLE);
      if (has === (command === 'grant')) {
        await client.query('ROLLBACK');
        say(`${email} (${userId}) ${has ? 'already has' : 'does not have'} the ${ROLE} role`);
      } else {
        await client.query(
          command === 'grant'
            ? 'UPDATE credentials SET roles = array_append(roles, $2), updated_at = now() WHERE user_id = $1'
            : 'UPDATE credentials SET roles = array_remove(roles, $2), updated_at = now() WHERE user_id = $1',
          [userId, ROLE],
        );
        await client.query(
          `INSERT INTO account_audit_log (action, target_user_id, actor_type, actor_id, details)
           VALUES ($1, $2, 'cli', $3, $4)`,
          [ACTIONS[command], userId, actor, JSON.stringify({ role: ROLE })],
        );
        await client.query('COMMIT');
        say(
          `${command === 'grant' ? 'granted' : 'revoked'} the ${ROLE} role ` +
            `${command === 'grant' ? 'to' : 'of'} ${email} (${userId}), recorded as cli:${actor}`,
        );
      }
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Who is running this: the OS account (what an audit of an operator's action can name). */
function operator(): string {
  try {
    return os.userInfo().username.slice(0, 128);
  } catch {
    return (process.env.USER ?? 'unknown').slice(0, 128);
  }
}

main().catch((error: unknown) => {
  console.error(`[admin:${command}] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
