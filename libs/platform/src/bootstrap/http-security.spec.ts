import type { IncomingMessage } from 'node:http';
import { addSecurityHeaders } from './http-security';

describe('addSecurityHeaders', () => {
  it('adds the headers every answer carries to a header object, keeping what was there', () => {
    const headers: Record<string, string | string[]> = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'cache-control': 'no-store',
    };
    addSecurityHeaders(headers, { headers: {} } as IncomingMessage);
    expect(headers).toMatchObject({
      'Content-Type': 'text/plain; charset=UTF-8',
      'cache-control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': expect.stringContaining("default-src 'none'") as unknown,
    });
    expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('x-powered-by');
  });
});
