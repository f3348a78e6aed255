import { Field, ObjectType } from '@nestjs/graphql';

/** Relay-style page information of a connection. */
@ObjectType('PageInfo', {
  description: 'Where a page of a connection ends and whether more follow.',
})
export class PageInfoModel {
  @Field(() => Boolean, { description: 'True when another page follows this one.' })
  hasNextPage: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Cursor of the last edge; pass it as `after` to get the next page. Null when empty.',
  })
  endCursor: string | null;
}
