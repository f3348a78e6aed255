import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, validate } from 'graphql';
import { OPERATIONS, USERS_PER_QUERY, usersQuery } from './graphql';

// profile's schema as it publishes it (a unit spec of profile keeps the file current).
const schema = buildSchema(
  readFileSync(join(__dirname, '..', '..', '..', 'profile', 'schema.gql'), 'utf8'),
);

describe('the web client GraphQL operations', () => {
  it.each(OPERATIONS.map((op) => [op.name, op] as const))(
    '%s is valid against apps/profile/schema.gql',
    (_name, op) => {
      const document = parse(op.document);
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      expect(document.definitions).toMatchObject([{ name: { value: op.name } }]);
    },
  );

  it('stays within profile’s 50 aliases per operation when looking up users', () => {
    const aliases = parse(usersQuery(USERS_PER_QUERY).document).definitions.flatMap((d) =>
      'selectionSet' in d && d.selectionSet ? d.selectionSet.selections : [],
    );
    expect(aliases).toHaveLength(USERS_PER_QUERY);
    expect(USERS_PER_QUERY).toBeLessThanOrEqual(50);
  });
});
