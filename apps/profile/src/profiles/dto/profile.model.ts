import { Field, ID, ObjectType } from '@nestjs/graphql';

/** The GraphQL `Profile` type: the public view of a user. */
@ObjectType('Profile', { description: 'The public profile of a user.' })
export class ProfileModel {
  @Field(() => ID, { description: 'The user id (a UUID shared with every service).' })
  id: string;

  @Field(() => String, { description: 'The unique nickname; unique ignoring letter case.' })
  nickname: string;

  @Field(() => String, { nullable: true, description: 'The name shown in clients, if set.' })
  displayName: string | null;

  @Field(() => String, { nullable: true, description: 'A short text about the user, if set.' })
  bio: string | null;

  @Field(() => String, { nullable: true, description: 'An https URL of the avatar image, if set.' })
  avatarUrl: string | null;

  @Field(() => Date, { description: 'When the profile was created (the registration time).' })
  createdAt: Date;
}
