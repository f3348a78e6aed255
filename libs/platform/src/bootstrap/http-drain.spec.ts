import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpDrain } from './http-drain';

/** A server whose `/slow` answers when the test says so, and everything else at once. */
async function startServer() {
  const pending: Array<() => void> = [];
  const server: Server = http.createServer((request, response) => {
    const answer = () => response.end(request.url);
    if (request.url === '/slow') pending.push(answer);
    else answer();
  });
  const drain = new HttpDrain(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, drain, port, release: () => pending.splice(0).forEach((a) => a()) };
}

interface Answer {
  status?: number;
  connection?: string;
  error?: string;
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode, connection: response.headers.connection }),
        );
      })
      .on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
  });
}

describe('HttpDrain', () => {
  it('answers the requests in flight after the listener closed, then resolves', async () => {
    const { drain, port, release, server } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    const inFlight = [get(port, '/slow', agent), get(port, '/slow', agent)];
    await sleep(50);
    expect(drain.pending).toBe(2);

    const closed = drain.close(5_000);
    await sleep(50);
    // The listener is closed: a new connection is refused, not reset.
    expect(await get(port, '/fast')).toEqual({ error: 'ECONNREFUSED' });
    release();
    expect(await closed).toBe(0);
    // Answered, and told to close their keep-alive connections.
    expect(await Promise.all(inFlight)).toEqual([
      { status: 200, connection: 'close' },
      { status: 200, connection: 'close' },
    ]);
    agent.destroy();
    expect(server.listening).toBe(false);
  });

  it('closes keep-alive connections after their next answer once draining', async () => {
    const { drain, port, server } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    expect(await get(port, '/fast', agent)).toEqual({ status: 200, connection: 'keep-alive' });
    drain.startDraining();
    // Still listening (the grace period): served, but the connection goes.
    expect(await get(port, '/fast', agent)).toEqual({ status: 200, connection: 'close' });
    expect(await get(port, '/fast')).toEqual({ status: 200, connection: 'close' });
    expect(await drain.close(1_000)).toBe(0);
    agent.destroy();
    expect(server.listening).toBe(false);
  });

  it('cuts off what is still in flight at the timeout, and says how many', async () => {
    const { drain, port } = await startServer();
    const stuck = get(port, '/slow');
    await sleep(50);
    const startedAt = Date.now();
    expect(await drain.close(200)).toBe(1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
    expect(await stuck).toEqual({ error: 'ECONNRESET' });
  });
});
