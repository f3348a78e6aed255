import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { MetricsService } from './metrics';
import { outcomeOf, SocketMetricsGateway } from './socket-metrics.gateway';

/** A real socket.io server with a token check and two handlers, measured by the gateway. */
describe('SocketMetricsGateway', () => {
  let http: HttpServer;
  let server: Server;
  let metrics: MetricsService;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    metrics = new MetricsService('messenger');
    http = createServer();
    server = new Server(http);
    new SocketMetricsGateway(metrics).afterInit(server);
    // The service's authentication runs after the gateway's middleware, as in messenger.
    server.use((socket, next) =>
      next(socket.handshake.auth.token === 'valid' ? undefined : new Error('unauthenticated')),
    );
    server.on('connection', (socket) => {
      socket.on('chat:list', (_body: unknown, ack: (reply: unknown) => void) =>
        setTimeout(() => ack({ ok: true, chats: [] }), 20),
      );
      socket.on('message:send', (_body: unknown, ack: (reply: unknown) => void) =>
        ack({ ok: false, error: { code: 'COMMON.INTERNAL', message: 'Internal server error' } }),
      );
      socket.on('typing', () => undefined);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await server.close();
  });

  async function connect(token: string): Promise<ClientSocket> {
    const client = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => {
      client.once('connect', resolve);
      client.once('connect_error', () => resolve());
    });
    return client;
  }

  const scrape = () => metrics.registry.metrics();

  it('counts the authenticated sockets the server holds', async () => {
    await connect('valid');
    const second = await connect('valid');
    await connect('forged');
    expect(await scrape()).toContain('socketio_connected_sockets{service="messenger"} 2');
    second.disconnect();
    await new Promise((r) => setTimeout(r, 50));
    expect(await scrape()).toContain('socketio_connected_sockets{service="messenger"} 1');
  });

  it('times events to their acknowledgement, with the outcome of the reply', async () => {
    const client = await connect('valid');
    await client.emitWithAck('chat:list', {});
    await client.emitWithAck('message:send', {});
    const text = await scrape();
    expect(text).toContain(
      'socketio_event_duration_seconds_count{service="messenger",event="chat:list",outcome="ok"} 1',
    );
    expect(text).toContain(
      'socketio_event_duration_seconds_count{service="messenger",event="message:send",outcome="INTERNAL"} 1',
    );
    // The 20 ms the handler took before acknowledging are part of the duration.
    const sum =
      /socketio_event_duration_seconds_sum\{[^}]*event="chat:list",outcome="ok"\} (\S+)/.exec(text);
    expect(Number(sum![1])).toBeGreaterThanOrEqual(0.015);
  });

  it('labels events nobody handles as unhandled and events without an ack as such', async () => {
    const client = await connect('valid');
    client.emit('typing', {});
    client.emit(`no-such-event-${Math.random()}`, {});
    await client.emitWithAck('chat:list', {});
    const text = await scrape();
    expect(text).toContain('event="typing",outcome="unacknowledged"');
    expect(text).toContain('event="unhandled",outcome="unacknowledged"');
    expect(text).not.toContain('no-such-event');
  });
});

describe('outcomeOf', () => {
  it.each([
    [{ ok: true }, 'ok'],
    [{ ok: false, error: { code: 'COMMON.VALIDATION_FAILED' } }, 'INVALID_ARGUMENT'],
    [{ ok: false, error: { code: 'COMMON.UNAVAILABLE' } }, 'UNAVAILABLE'],
    [{ ok: false, error: { code: 'MESSENGER.NOT_FRIENDS' } }, 'DOMAIN_RULE'],
    [{ ok: false }, 'DOMAIN_RULE'],
    [undefined, 'ok'],
  ])('%j → %s', (reply, outcome) => {
    expect(outcomeOf(reply)).toBe(outcome);
  });
});
