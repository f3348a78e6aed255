/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Changes to the caller's own profile. */
export type UpdateProfileInput = {
  /** An https URL of the avatar image, at most 2048 characters; null clears it. */
  avatarUrl?: string | null | undefined;
  /** About the user, at most 500 characters without control, format or invisible characters (line breaks and tabs allowed); null clears it. */
  bio?: string | null | undefined;
  /** Name shown in clients, at most 64 characters without control, format or invisible characters; null or blank clears it. */
  displayName?: string | null | undefined;
  /** New nickname: 3–32 letters, digits or underscores; unique ignoring case. */
  nickname?: string | null | undefined;
};

export type UpdateProfileMutationVariables = Exact<{
  input: UpdateProfileInput;
}>;


export type UpdateProfileMutation = { updateProfile: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } };

export type ProfileFieldsFragment = { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { email: string | null, id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } };

export type UserQueryVariables = Exact<{
  id: string;
}>;


export type UserQuery = { user: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } | null };

export type UserByNicknameQueryVariables = Exact<{
  nickname: string;
}>;


export type UserByNicknameQuery = { userByNickname: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } | null };

export type SearchUsersQueryVariables = Exact<{
  query: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SearchUsersQuery = { searchUsers: { edges: Array<{ cursor: string, node: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type MyFriendsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyFriendsQuery = { me: { id: string, friendsCount: number, friends: { edges: Array<{ cursor: string, node: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type ProfileUpdatedSubscriptionVariables = Exact<{
  userId: string;
}>;


export type ProfileUpdatedSubscription = { profileUpdated: { id: string, nickname: string, displayName: string | null, bio: string | null, avatarUrl: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ProfileFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}
    `, {"fragmentName":"ProfileFields"}) as unknown as TypedDocumentString<ProfileFieldsFragment, unknown>;
export const UpdateProfileDocument = new TypedDocumentString(`
    mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    ...ProfileFields
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<UpdateProfileMutation, UpdateProfileMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    ...ProfileFields
    email
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const UserDocument = new TypedDocumentString(`
    query User($id: ID!) {
  user(id: $id) {
    ...ProfileFields
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<UserQuery, UserQueryVariables>;
export const UserByNicknameDocument = new TypedDocumentString(`
    query UserByNickname($nickname: String!) {
  userByNickname(nickname: $nickname) {
    ...ProfileFields
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<UserByNicknameQuery, UserByNicknameQueryVariables>;
export const SearchUsersDocument = new TypedDocumentString(`
    query SearchUsers($query: String!, $first: Int, $after: String) {
  searchUsers(query: $query, first: $first, after: $after) {
    edges {
      cursor
      node {
        ...ProfileFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<SearchUsersQuery, SearchUsersQueryVariables>;
export const MyFriendsDocument = new TypedDocumentString(`
    query MyFriends($first: Int, $after: String) {
  me {
    id
    friendsCount
    friends(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...ProfileFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<MyFriendsQuery, MyFriendsQueryVariables>;
export const ProfileUpdatedDocument = new TypedDocumentString(`
    subscription ProfileUpdated($userId: ID!) {
  profileUpdated(userId: $userId) {
    ...ProfileFields
  }
}
    fragment ProfileFields on Profile {
  id
  nickname
  displayName
  bio
  avatarUrl
}`) as unknown as TypedDocumentString<ProfileUpdatedSubscription, ProfileUpdatedSubscriptionVariables>;