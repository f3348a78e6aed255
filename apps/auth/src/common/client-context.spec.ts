import { Metadata } from '@grpc/grpc-js';
import type { Request } from 'express';
import { grpcClient, httpClient } from './client-context';

const request = (remoteAddress: string, forwarded?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  }) as unknown as Request;

const metadataWith = (forwarded?: string) => {
  const metadata = new Metadata();
  if (forwarded) metadata.set('x-forwarded-for', forwarded);
  return metadata;
};

describe('client address', () => {
  it('takes the peer of a gRPC call, IPv4 or IPv6, without the port', () => {
    expect(grpcClient(undefined, { getPeer: () => 'ipv4:10.1.2.3:50000' }, false)).toEqual({
      address: '10.1.2.3',
    });
    expect(grpcClient(undefined, { getPeer: () => 'ipv6:[::1]:50000' }, false)).toEqual({
      address: '::1',
    });
  });

  it('ignores x-forwarded-for unless the proxy is trusted', () => {
    const peer = { getPeer: () => 'ipv4:10.0.0.1:1' };
    expect(grpcClient(metadataWith('203.0.113.5'), peer, false).address).toBe('10.0.0.1');
    expect(httpClient(request('10.0.0.1', '203.0.113.5'), false).address).toBe('10.0.0.1');
  });

  it('behind a trusted proxy, uses the entry the proxy appended (the last), not what the client claimed', () => {
    const peer = { getPeer: () => 'ipv4:10.0.0.1:1' };
    expect(grpcClient(metadataWith('1.1.1.1, 203.0.113.5'), peer, true).address).toBe(
      '203.0.113.5',
    );
    expect(httpClient(request('10.0.0.1', '1.1.1.1, 203.0.113.5'), true).address).toBe(
      '203.0.113.5',
    );
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(httpClient(request('::ffff:192.0.2.7'), false).address).toBe('192.0.2.7');
  });
});
