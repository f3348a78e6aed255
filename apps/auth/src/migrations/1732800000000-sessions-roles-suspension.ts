import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What "accounts end to end" needs (ADR 0022):
 * - a refresh-token family is a session: when it last received tokens, and the client it
 *   was started from (shown in the session list);
 * - roles and suspension on the account;
 * - an audit log of administrative actions. It has no foreign key to `credentials`: the
 *   record of what an administrator did outlives the account it was done to.
 */
export class SessionsRolesSuspension1732800000000 implements MigrationInterface {
  name = 'SessionsRolesSuspension1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    // Existing families last issued a token at their latest refresh token, at the latest.
    await runner.query(`
      ALTER TABLE refresh_token_families
        ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN user_agent varchar(256),
        ADD COLUMN ip varchar(64)`);
    await runner.query(`
      UPDATE refresh_token_families f SET last_used_at = coalesce(
        (SELECT max(t.created_at) FROM refresh_tokens t WHERE t.family_id = f.id), f.created_at)`);

    // Every account has the role "user"; "admin" is granted by an operator.
    await runner.query(`
      ALTER TABLE credentials
        ADD COLUMN roles text[] NOT NULL DEFAULT '{user}',
        ADD COLUMN suspended_at timestamptz,
        ADD COLUMN suspension_reason varchar(500),
        ADD CONSTRAINT credentials_roles_known CHECK (roles <@ ARRAY['user', 'admin']::text[]),
        ADD CONSTRAINT credentials_roles_user CHECK ('user' = ANY (roles))`);

    await runner.query(`
      CREATE TABLE account_audit_log (
        id bigserial PRIMARY KEY,
        action varchar(32) NOT NULL CHECK (action IN
          ('role_granted', 'role_revoked', 'account_suspended', 'account_reinstated')),
        target_user_id uuid NOT NULL,
        actor_type varchar(8) NOT NULL CHECK (actor_type IN ('admin', 'cli')),
        actor_id varchar(128) NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX account_audit_log_target_idx ON account_audit_log (target_user_id, created_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE account_audit_log');
    await runner.query(`
      ALTER TABLE credentials
        DROP CONSTRAINT credentials_roles_user,
        DROP CONSTRAINT credentials_roles_known,
        DROP COLUMN suspension_reason,
        DROP COLUMN suspended_at,
        DROP COLUMN roles`);
    await runner.query(`
      ALTER TABLE refresh_token_families
        DROP COLUMN ip,
        DROP COLUMN user_agent,
        DROP COLUMN last_used_at`);
  }
}
