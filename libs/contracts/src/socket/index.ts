export * from './schemas';
export * from './examples';
export * from './asyncapi';
