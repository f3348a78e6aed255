// The NGINX gateway in front of a stack's services (scripts/infra/gateway.ts), where the
// profile has one: `npm run up` and the e2e stacks.
import { type GatewayResult, startGateway, stopGateway } from '../infra/gateway';
import type { StackProfile } from './profiles';

/** Starts (or reuses) the gateway of `profile` in front of its services. */
export function startStackGateway(
  profile: StackProfile,
  { webRoot }: { webRoot?: string } = {},
): Promise<GatewayResult> {
  const gateway = profile.gateway;
  if (!gateway) throw new Error(`the ${profile.name} stack has no gateway`);
  const upstream = (port: number) => `127.0.0.1:${port}`;
  return startGateway({
    name: gateway.name,
    listen: gateway.host ? `${gateway.host}:${gateway.port}` : String(gateway.port),
    statusListen: `127.0.0.1:${gateway.statusPort}`,
    exporterListen: `127.0.0.1:${gateway.exporterPort}`,
    upstreams: {
      auth: upstream(profile.ports.auth.http),
      profile: upstream(profile.ports.profile.http),
      friends: upstream(profile.ports.friends.http),
      messenger: upstream(profile.ports.messenger.http),
    },
    internalToken: profile.internalApiToken,
    corsOrigins: gateway.corsOrigins,
    webRoot,
  });
}

/** Stops the gateway of `profile`; resolves with nginx's outcome. */
export function stopStackGateway(profile: StackProfile): Promise<string> {
  if (!profile.gateway) return Promise.resolve('none');
  return stopGateway(profile.gateway.name);
}
