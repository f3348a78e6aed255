import { Controller, Get, Header } from '@nestjs/common';
import { PublicJwk, SigningKeysService } from './signing-keys.service';

/** The JSON Web Key Set other services verify access tokens with. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  /**
   * `GET /.well-known/jwks.json`: the public keys (with `kid`, `alg`, `use: sig`) of every
   * signing key whose tokens may still be valid. Public and cacheable for five minutes;
   * verifiers refetch sooner when they meet an unknown `kid`.
   */
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    return { keys: await this.keys.publicKeys() };
  }
}
