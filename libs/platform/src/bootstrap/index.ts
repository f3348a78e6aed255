export * from './bootstrap-service';
export * from './http-security';
