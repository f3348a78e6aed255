import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An ES256 key pair access tokens are signed with. Kept in the database so restarts keep
 * issued tokens valid and every instance signs with the same key.
 *
 * Known simplification: the private key sits in the database in clear. In production it
 * belongs in a KMS/HSM or a mounted secret, with only the public half stored here.
 */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  /** The key id (`kid` header), the key's RFC 7638 thumbprint. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ name: 'private_jwk', type: 'jsonb' })
  privateJwk: JWK;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: JWK;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  /**
   * From when the key signs. A rotated-in key is published in the JWKS first and starts
   * signing only at this time, once verifiers' caches have had time to fetch it.
   */
  @Column({ name: 'activates_at', type: 'timestamptz' })
  activatesAt: Date;

  /**
   * When a newer key takes over signing (that key's `activatesAt`); the key still verifies
   * until the tokens it signed have expired.
   */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
