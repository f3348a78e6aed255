export * from './validation-failed';
export * from './class-validation';
export * from './schema-validation';
