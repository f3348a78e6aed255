import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { type GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { FriendshipsResolver } from '../../src/friendships/friendships.resolver';
import { ProfilesResolver } from '../../src/profiles/profiles.resolver';

/** The schema the code defines, sorted the way Nest writes `schema.gql`. */
export async function buildProfileSchema(): Promise<GraphQLSchema> {
  const moduleRef = await Test.createTestingModule({
    imports: [GraphQLSchemaBuilderModule],
  }).compile();
  const schema = await moduleRef
    .get(GraphQLSchemaFactory)
    .create([ProfilesResolver, FriendshipsResolver]);
  return lexicographicSortSchema(schema);
}
