export * from './transaction-host';
export * from './database.module';
export * from './testing';
