/**
 * The typed client of profile's GraphQL API, for front ends, other code and tests: each
 * operation in `src/operations/*.graphql` is generated (GraphQL Code Generator, from
 * `apps/profile/schema.gql`) into a document that carries its result and variables
 * types, so a renamed field or a wrong variable fails the type check, not the browser.
 *
 * ```ts
 * const profile = createProfileClient('http://127.0.0.1:3002', { token: () => session.accessToken() });
 * const { data, errors } = await profile.execute(UserDocument, { variables: { id } });
 * if (errors) console.log(errors[0].extensions?.errorCode); // e.g. 'COMMON.UNAUTHENTICATED'
 * else console.log(data?.user?.nickname);
 * ```
 *
 * `src/generated/` is written by `npm run graphql:gen`; never edit it by hand.
 */
export * from './generated/operations';
export * from './client';
export * from './users-by-id';
