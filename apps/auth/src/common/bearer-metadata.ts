import type { Metadata } from '@grpc/grpc-js';

/**
 * The `authorization` metadata of a gRPC call (`Bearer <access token>`), as the HTTP
 * gateway's routes read the header of the same name.
 */
export function authorizationOf(metadata: Metadata | undefined): string | undefined {
  const value = metadata?.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
}
