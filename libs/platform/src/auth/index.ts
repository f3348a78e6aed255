export * from './access-token.verifier';
export * from './bearer-auth.guard';
export * from './token-verification.module';
export * from './session-revocations';
export * from './session-revoked.consumer';
