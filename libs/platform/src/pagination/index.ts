export * from './cursor';
export * from './keyset-list';
export * from './keyset-page';
