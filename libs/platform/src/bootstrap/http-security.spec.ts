import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { secureLibraryResponses } from './http-security';

describe('secureLibraryResponses', () => {
  it("gives answers a library writes under its path the services' headers, and only those", async () => {
    // As engine.io answers: writeHead with its own headers, after our listener ran.
    const server = http.createServer((request, response) => {
      response.writeHead(request.url === '/lib/refuse' ? 403 : 200, {
        'Content-Type': 'application/json',
      });
      response.end('{}');
    });
    secureLibraryResponses(server, '/lib/');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    try {
      for (const path of ['/lib/?EIO=4', '/lib/refuse']) {
        const answer = await get(path);
        expect(answer.headers.get('content-type')).toBe('application/json');
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(answer.headers.get('x-powered-by')).toBeNull();
      }
      expect((await get('/other')).headers.get('x-content-type-options')).toBeNull();
    } finally {
      server.close();
    }
  });
});
