import { buildSchema, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as client from './index';
import { MAX_ALIASES_PER_OPERATION, usersByIdDocument, usersByIdVariables } from './index';

// profile's published schema (its own unit spec keeps the file equal to the code).
const schema = buildSchema(
  readFileSync(join(__dirname, '..', '..', '..', 'apps', 'profile', 'schema.gql'), 'utf8'),
);

/** Every generated operation document the lib exports (`MeDocument`, `UserDocument`…). */
const documents = Object.entries(client).filter(
  ([name, value]) => name.endsWith('Document') && value instanceof client.TypedDocumentString,
) as Array<[string, client.TypedDocumentString<unknown, unknown>]>;

const operationsOf = (text: string) =>
  parse(text).definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );

describe('@app/profile-client operations', () => {
  it('exports a document for every operation in src/operations', () => {
    expect(documents.map(([name]) => name).sort()).toEqual([
      'MeDocument',
      'MyFriendsDocument',
      'ProfileUpdatedDocument',
      'SearchUsersDocument',
      'UpdateProfileDocument',
      'UserByNicknameDocument',
      'UserDocument',
    ]);
  });

  it.each(documents)('%s is one named operation valid against schema.gql', (name, document) => {
    const parsed = parse(document.toString());
    expect(validate(schema, parsed).map((e) => e.message)).toEqual([]);
    const operations = operationsOf(document.toString());
    expect(operations.map((op) => op.name?.value)).toEqual([name.replace(/Document$/, '')]);
  });

  describe('usersByIdDocument', () => {
    it.each([1, 3, MAX_ALIASES_PER_OPERATION])(
      'asks for %i users under aliases, valid against schema.gql',
      (count) => {
        const parsed = parse(usersByIdDocument(count).toString());
        expect(validate(schema, parsed).map((e) => e.message)).toEqual([]);
        const [operation] = operationsOf(usersByIdDocument(count).toString());
        const aliases = operation.selectionSet.selections.map((s) =>
          s.kind === Kind.FIELD ? s.alias?.value : undefined,
        );
        expect(aliases).toEqual(Array.from({ length: count }, (_, i) => `u${i}`));
      },
    );

    it('refuses counts profile would refuse, or none', () => {
      expect(() => usersByIdDocument(0)).toThrow(RangeError);
      expect(() => usersByIdDocument(MAX_ALIASES_PER_OPERATION + 1)).toThrow(RangeError);
      expect(() => usersByIdDocument(1.5)).toThrow(RangeError);
    });

    it('names its variables after the ids’ positions', () => {
      expect(usersByIdVariables(['a', 'b'])).toEqual({ id0: 'a', id1: 'b' });
    });
  });
});
