import type { Metadata } from '@grpc/grpc-js';
import { clientAddress, lastForwarded, normalizeAddress } from '@app/platform';
import type { Request } from 'express';

/**
 * Who is calling, as far as abuse limits care: the client's network address; and what the
 * session list shows of the client that started a session: its address and User-Agent.
 */
export interface ClientContext {
  address: string;
  userAgent?: string;
}

/**
 * The client address of an HTTP request. With `trustProxy`, the last `x-forwarded-for`
 * entry — the one the reverse proxy in front of auth appended; earlier entries are
 * whatever the client claimed and are ignored.
 */
export function httpClient(request: Request, trustProxy: boolean): ClientContext {
  return {
    address: clientAddress(request, trustProxy),
    ...userAgent(request.headers['user-agent']),
  };
}

/**
 * The client address of a gRPC call: the peer (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`),
 * or with `trustProxy` the last `x-forwarded-for` metadata entry.
 */
export function grpcClient(
  metadata: Metadata | undefined,
  call: { getPeer?: () => string } | undefined,
  trustProxy: boolean,
): ClientContext {
  const forwarded = trustProxy
    ? lastForwarded(metadata?.get('x-forwarded-for').map(String))
    : undefined;
  return {
    address: forwarded ?? peerAddress(call?.getPeer?.() ?? 'unknown'),
    ...userAgent(metadata?.get('user-agent').map(String).join(' ')),
  };
}

/** The User-Agent, when there is one; grpc-js clients send theirs as metadata. */
function userAgent(value: string | undefined): Pick<ClientContext, 'userAgent'> {
  return value ? { userAgent: value } : {};
}

/** `ipv4:10.0.0.1:5050` → `10.0.0.1`; `ipv6:[::1]:5050` → `::1`. */
function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(withoutScheme);
  if (bracketed) return normalizeAddress(bracketed[1]);
  return normalizeAddress(withoutScheme.replace(/:\d+$/, ''));
}
