import {
  type GraphQLSchema,
  isIntrospectionType,
  isObjectType,
  isInputObjectType,
  isSpecifiedScalarType,
  printSchema,
} from 'graphql';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProfileSchema } from '../../test/support/build-schema';
import { SCHEMA_FILE } from './graphql.options';

const HEADER = `# ------------------------------------------------------
# THIS FILE WAS AUTOMATICALLY GENERATED (DO NOT MODIFY)
# ------------------------------------------------------

`;

describe('apps/profile/schema.gql (the committed contract)', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildProfileSchema();
  });

  it('is exactly the schema the code defines (UPDATE_SCHEMA=1 rewrites it)', () => {
    const printed = HEADER + printSchema(schema);
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, printed);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printed);
  });

  it('describes every type, field and argument', () => {
    const undescribed: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      const root = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
      if (!type.description && !root.includes(type as never)) undescribed.push(type.name);
      if (!isObjectType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.description) undescribed.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (!arg.description) undescribed.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});
