import { loadConfig } from '@app/platform';
import { profileConfigSchema } from './profile.config';

describe('profileConfigSchema', () => {
  it('keeps the internal gRPC server on loopback and without a credential by default', () => {
    const config = loadConfig(profileConfigSchema, {});
    expect(config.grpc).toEqual({ port: 50052, url: '127.0.0.1:50052' });
    expect(config.internalApiToken).toBeUndefined();
  });

  it('opens the listener and takes the service credential when told to', () => {
    const token = 'a-service-credential-of-32-chars!';
    const config = loadConfig(profileConfigSchema, {
      GRPC_HOST: '0.0.0.0',
      INTERNAL_API_TOKEN: token,
    });
    expect(config.grpc.url).toBe('0.0.0.0:50052');
    expect(config.internalApiToken).toBe(token);
  });
});
