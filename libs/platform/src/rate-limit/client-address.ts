import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, as far as limits care. With `trustProxy`, the last
 * `x-forwarded-for` entry — the one the reverse proxy in front appended; earlier entries
 * are whatever the client claimed and are ignored.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? lastForwarded(request.headers['x-forwarded-for']) : undefined;
  return forwarded ?? normalizeAddress(request.socket.remoteAddress ?? 'unknown');
}

/** The last `x-forwarded-for` entry (HTTP header or gRPC metadata values), normalised. */
export function lastForwarded(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined
    ?.split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1);
  return last ? normalizeAddress(last) : undefined;
}

/** One spelling per address, so `::ffff:10.0.0.1` and `10.0.0.1` share a counter. */
export function normalizeAddress(address: string): string {
  return address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
