export * from './envelope';
export * from './topics';
export * from './catalog';
export * from './asyncapi';
export * from './pair';
export * from './account-lifecycle';
export * from './friendship-revocations';
