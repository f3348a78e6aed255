import { buildSchema, getIntrospectionQuery, type GraphQLSchema, parse } from 'graphql';
import { buildProfileSchema } from '../../test/support/build-schema';
import { checkQueryLimits, QUERY_LIMITS, QueryLimitCodes } from './query-limits';

const FRIENDS = (first: number | string, inner: string) =>
  `friends(first: ${first}) { edges { node { ${inner} } } }`;

describe('checkQueryLimits', () => {
  let schema: GraphQLSchema;
  const check = (query: string, variables?: Record<string, unknown>) =>
    checkQueryLimits(schema, parse(query), undefined, variables);

  beforeAll(async () => {
    schema = await buildProfileSchema();
  });

  it('lets a page of 50 users with 20 friends each through', () => {
    expect(
      check(`{ searchUsers(query: "ad", first: 50) {
        edges { node { id friendsCount ${FRIENDS(20, 'id nickname')} } } } }`),
    ).toBeUndefined();
  });

  it(`refuses a query deeper than ${QUERY_LIMITS.maxDepth} levels`, () => {
    const deep = `{ me { ${FRIENDS(1, FRIENDS(1, FRIENDS(1, 'id')))} } }`;
    expect(check(deep)?.extensions).toMatchObject({
      code: QueryLimitCodes.TOO_DEEP,
      limit: QUERY_LIMITS.maxDepth,
      actual: 11,
    });
  });

  it('counts depth through fragments', () => {
    const query = `{ me { ...F } }
      fragment F on Profile { ${FRIENDS(1, FRIENDS(1, FRIENDS(1, 'id')))} }`;
    expect(check(query)?.extensions?.code).toBe(QueryLimitCodes.TOO_DEEP);
  });

  it(`refuses more than ${QUERY_LIMITS.maxAliases} aliases`, () => {
    const aliases = Array.from({ length: 51 }, (_, i) => `a${i}: me { id }`).join(' ');
    expect(check(`{ ${aliases} }`)?.extensions?.code).toBe(QueryLimitCodes.TOO_MANY_ALIASES);
    const allowed = Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ');
    expect(check(`{ ${allowed} }`)).toBeUndefined();
  });

  it(`refuses first above ${QUERY_LIMITS.maxPageSize}, also through a variable`, () => {
    expect(check(`{ me { ${FRIENDS(101, 'id')} } }`)?.extensions?.code).toBe(
      QueryLimitCodes.PAGE_TOO_LARGE,
    );
    expect(
      check(`query ($n: Int) { searchUsers(query: "ad", first: $n) { edges { cursor } } }`, {
        n: 100_000_000,
      })?.extensions,
    ).toMatchObject({ code: QueryLimitCodes.PAGE_TOO_LARGE, actual: 100_000_000 });
  });

  it('leaves variables of the wrong shape to execution (BAD_USER_INPUT there)', () => {
    expect(
      check(`query ($n: Int) { searchUsers(query: "ad", first: $n) { edges { cursor } } }`, {
        n: 'lots',
      }),
    ).toBeUndefined();
  });

  it('weighs list fields by first: 100 × 100 friends of friends is too costly', () => {
    const query = `{ searchUsers(query: "ad", first: 100) { edges { node { ${FRIENDS(100, 'id nickname')} } } } }`;
    expect(check(query)?.extensions?.code).toBe(QueryLimitCodes.TOO_COMPLEX);
  });

  it('counts an omitted first as a default page', () => {
    const query = `{ searchUsers(query: "ad", first: 100) { edges { node { friends { edges { node { ${FRIENDS(100, 'id')} } } } } } } }`;
    expect(check(query)?.extensions?.code).toBe(QueryLimitCodes.TOO_COMPLEX);
  });

  describe('introspection counts like any field', () => {
    const standard = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    /** `copies` aliased `__schema` selections of the whole schema, as IDEs ask for it. */
    const dumps = (copies: number) =>
      `{ ${Array.from({ length: copies }, (_, i) => `d${i}: __schema { types { ...FullType } directives { name } }`).join(' ')} }
      ${standard.slice(standard.indexOf('fragment FullType'))}`;

    it('toward aliases: 300 aliased __schema selections are refused', () => {
      const aliased = Array.from({ length: 300 }, (_, i) => `s${i}: __schema { types { name } }`);
      expect(check(`{ ${aliased.join(' ')} }`)?.extensions).toMatchObject({
        code: QueryLimitCodes.TOO_MANY_ALIASES,
        actual: 300,
      });
      const typenames = Array.from({ length: 51 }, (_, i) => `t${i}: __typename`);
      expect(check(`{ ${typenames.join(' ')} }`)?.extensions?.code).toBe(
        QueryLimitCodes.TOO_MANY_ALIASES,
      );
    });

    it('toward depth: __typename below ten levels is the eleventh', () => {
      const query = `{ me { ${FRIENDS(1, FRIENDS(1, FRIENDS(1, '__typename')))} } }`;
      expect(check(query)?.extensions).toMatchObject({
        code: QueryLimitCodes.TOO_DEEP,
        actual: 11,
      });
      const typeFields = `{ __type(name: "Profile") { ${'fields { type { '.repeat(5)}name${' } }'.repeat(5)} } }`;
      expect(check(typeFields)?.extensions?.code).toBe(QueryLimitCodes.TOO_DEEP);
    });

    it('toward cost: __schema lists cost what the schema holds, so three dumps are too many', () => {
      expect(check(dumps(1))).toBeUndefined();
      expect(check(dumps(3))?.extensions).toMatchObject({ code: QueryLimitCodes.TOO_COMPLEX });
    });

    it('lets through the introspection query IDEs and code generators send', () => {
      // Its type references nest `ofType` nine deep; they unwrap `[T!]!`, never fan out.
      // It costs about 3,900 with this schema's 21 types: should a growing schema push it
      // past the limit, this fails before the Sandbox does (see ADR 0018).
      expect(check(standard)).toBeUndefined();
      expect(check(getIntrospectionQuery())).toBeUndefined();
    });

    it('gives ofType its pass on introspection types only', () => {
      const ofTypes = `{ __type(name: "Profile") { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } }`;
      expect(check(ofTypes)).toBeUndefined();
      const own = buildSchema('type Query { node: Node } type Node { id: ID ofType: Node }');
      const query = `{ node { ${'ofType { '.repeat(10)}id${' }'.repeat(10)} } }`;
      expect(checkQueryLimits(own, parse(query), undefined, undefined)?.extensions).toMatchObject({
        code: QueryLimitCodes.TOO_DEEP,
        actual: 12,
      });
    });
  });

  it('stops walking a fragment bomb instead of expanding it', () => {
    const levels = 12;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Profile { ${i === levels - 1 ? 'id' : `...F${i + 1} ...F${i + 1} ...F${i + 1}`} }`,
    ).join('\n');
    const started = Date.now();
    expect(check(`{ me { ...F0 } }\n${fragments}`)?.extensions?.code).toBe(
      QueryLimitCodes.TOO_COMPLEX,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
