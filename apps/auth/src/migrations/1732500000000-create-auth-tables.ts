import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Credentials, refresh-token families and signing keys. */
export class CreateAuthTables1732500000000 implements MigrationInterface {
  name = 'CreateAuthTables1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    // Emails are stored lower-cased by the service; the plain unique index is therefore
    // case-insensitive in effect and cheaper than a functional one.
    await runner.query(`
      CREATE TABLE credentials (
        user_id uuid PRIMARY KEY,
        email varchar(254) NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credentials_email_key UNIQUE (email),
        CONSTRAINT credentials_email_lower CHECK (email = lower(email))
      )`);

    // One family per login; every rotation adds a token to it. Revoking the family (logout,
    // or reuse of a rotated token) kills every token descended from that login at once.
    await runner.query(`
      CREATE TABLE refresh_token_families (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES credentials (user_id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX refresh_token_families_user_idx ON refresh_token_families (user_id)`,
    );
    // Only the SHA-256 of a token is stored: a leaked table does not yield usable tokens.
    await runner.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
      )`);
    await runner.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);

    await runner.query(`
      CREATE TABLE signing_keys (
        kid varchar(64) PRIMARY KEY,
        private_jwk jsonb NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE signing_keys');
    await runner.query('DROP TABLE refresh_tokens');
    await runner.query('DROP TABLE refresh_token_families');
    await runner.query('DROP TABLE credentials');
  }
}
