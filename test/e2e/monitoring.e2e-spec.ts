/**
 * Metrics against the live e2e stack: real traffic over each transport shows up in the
 * RED histograms of the service that served it (gRPC on auth and profile, GraphQL on
 * profile, REST on friends, socket.io events and connections on messenger), and every
 * metric the alert rules and Grafana dashboards under ops/ name is exported by a service —
 * so a renamed metric breaks this test instead of silently emptying a panel or an alert.
 */
import {
  metricNamesIn,
  familyOf,
  metricTypes,
  monitoringExpressions,
  PROMETHEUS_SYNTHETIC,
  recordedNames,
  samples,
  type Sample,
} from './support/monitoring';
import {
  authClient,
  eventually,
  registerUser,
  type AuthGrpcClient,
  type TestUser,
} from './support/clients';
import { gatewayState } from './support/gateway';
import { stack, type ServiceName } from './support/stack';
import { MessengerClient } from '@app/messenger-client';

const SERVICES: ServiceName[] = ['auth', 'profile', 'friends', 'messenger'];

async function scrape(service: ServiceName): Promise<string> {
  const response = await fetch(`${stack[service].http}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** Value of the one sample of `name` whose labels include `labels` (0 when absent). */
async function valueOf(
  service: ServiceName,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const matching = samples(await scrape(service)).filter(
    (s: Sample) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.reduce((sum, s) => sum + s.value, 0);
}

describe('metrics of the running services', () => {
  let auth: AuthGrpcClient;
  let user: TestUser;

  beforeAll(async () => {
    auth = authClient();
    // gRPC on auth, which reserves the nickname in profile over gRPC.
    user = await registerUser(auth, 'metrics');
  });

  afterAll(() => auth.close());

  it('counts gRPC calls by proto method and the status the caller received', async () => {
    const login = { grpc_service: 'AuthService', grpc_method: 'Login' };
    const failedBefore = await valueOf('auth', 'grpc_server_handling_seconds_count', {
      ...login,
      grpc_code: 'UNAUTHENTICATED',
    });
    await expect(auth.login({ email: user.email, password: 'not-the-password' })).rejects.toThrow();
    await auth.login({ email: user.email, password: user.password });

    expect(
      await valueOf('auth', 'grpc_server_handling_seconds_count', {
        ...login,
        grpc_code: 'UNAUTHENTICATED',
      }),
    ).toBe(failedBefore + 1);
    expect(
      await valueOf('auth', 'grpc_server_handling_seconds_count', { ...login, grpc_code: 'OK' }),
    ).toBeGreaterThanOrEqual(1);
    // The registration's downstream call, measured by the service that served it.
    expect(
      await valueOf('profile', 'grpc_server_handling_seconds_count', {
        grpc_service: 'ProfileService',
        grpc_method: 'ReserveNickname',
        grpc_code: 'OK',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts GraphQL operations by root field, and REST requests by route template', async () => {
    const response = await fetch(`${stack.profile.http}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(200);
    expect(
      await valueOf('profile', 'graphql_operation_duration_seconds_count', {
        operation_type: 'query',
        operation: 'me',
      }),
    ).toBeGreaterThanOrEqual(1);

    const friends = await fetch(`${stack.friends.http}/v1/friends`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(friends.status).toBe(200);
    expect(
      await valueOf('friends', 'http_server_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/friends',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  describe('socket.io', () => {
    let messenger: MessengerClient | undefined;

    afterEach(() => {
      messenger?.close();
    });

    it('counts events by name and the connections an instance holds', async () => {
      const before = await valueOf('messenger', 'socketio_connected_sockets', {});
      messenger = new MessengerClient({
        url: stack.messenger.http,
        token: user.accessToken,
        reconnection: false,
      });
      await messenger.connect();
      await expect(messenger.listChats({ timeoutMs: 5_000 })).resolves.toEqual({ chats: [] });

      expect(
        await valueOf('messenger', 'socketio_event_duration_seconds_count', {
          event: 'chat:list',
          outcome: 'ok',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(await valueOf('messenger', 'socketio_connected_sockets', {})).toBe(before + 1);

      messenger.disconnect();
      await eventually(async () =>
        (await valueOf('messenger', 'socketio_connected_sockets', {})) === before
          ? true
          : undefined,
      );
    });
  });
});

describe('metrics named by ops/ alert rules and dashboards', () => {
  it('are all exported by the services and the gateway', async () => {
    const exported = new Map<string, string>();
    for (const service of SERVICES) {
      for (const [name, type] of metricTypes(await scrape(service))) exported.set(name, type);
    }
    // The gateway's nginx_* series come from prometheus-nginx-exporter (support/gateway).
    const gateway = gatewayState();
    const exporterUrl = gateway.unavailable === undefined ? gateway.exporterUrl : null;
    if (exporterUrl) {
      const exposition = await (await fetch(exporterUrl)).text();
      for (const [name, type] of metricTypes(exposition)) exported.set(name, type);
    } else {
      console.warn('no gateway exporter in this e2e stack: nginx_* metrics not checked');
    }
    const recorded = recordedNames();

    const missing = monitoringExpressions().flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter(
          (name) =>
            !PROMETHEUS_SYNTHETIC.has(name) &&
            !recorded.has(name) &&
            !familyOf(name, exported) &&
            (exporterUrl !== null || !name.startsWith('nginx_')),
        )
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('include the runtime, Kafka and RED families every service exports', async () => {
    const required = [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'http_server_request_duration_seconds',
      'grpc_server_handling_seconds',
      'graphql_operation_duration_seconds',
      'socketio_event_duration_seconds',
      'kafka_events_published_total',
      'kafka_events_consumed_total',
      'kafka_consumer_lag',
      'outbox_backlog_events',
    ];
    for (const service of SERVICES) {
      const types = metricTypes(await scrape(service));
      expect({ service, missing: required.filter((name) => !types.has(name)) }).toEqual({
        service,
        missing: [],
      });
      // Bounded labels: every sample names its service, none carries a raw id.
      for (const sample of samples(await scrape(service))) {
        expect(sample.labels.service).toBe(service);
      }
    }
  });
});
