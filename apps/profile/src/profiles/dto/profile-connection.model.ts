import { Field, ObjectType } from '@nestjs/graphql';
import { PageInfoModel } from '../../graphql/connection.model';
import type { Page } from '../../pagination/page';
import type { ProfileEntity } from '../entities/profile.entity';
import { ProfileModel } from './profile.model';

@ObjectType('ProfileEdge', { description: 'A profile in a connection, with its cursor.' })
export class ProfileEdgeModel {
  @Field(() => String, { description: 'Opaque position of this edge; pass as `after`.' })
  cursor: string;

  @Field(() => ProfileModel, { description: 'The profile.' })
  node: ProfileModel;
}

@ObjectType('ProfileConnection', {
  description: 'A page of profiles (Relay-style connection, keyset-paginated).',
})
export class ProfileConnectionModel {
  @Field(() => [ProfileEdgeModel], { description: 'The profiles of this page, in order.' })
  edges: ProfileEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Whether more follow and where to continue.' })
  pageInfo: PageInfoModel;
}

/** The GraphQL shape of a page of profiles. */
export function toProfileConnection(page: Page<ProfileEntity>): ProfileConnectionModel {
  return {
    edges: page.items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: page.items.at(-1)?.cursor ?? null,
    },
  };
}
