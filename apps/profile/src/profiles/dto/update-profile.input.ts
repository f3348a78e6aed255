import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString } from 'class-validator';

/**
 * Changes to the caller's own profile. Omitted fields stay as they are; `null` clears an
 * optional field. There is deliberately no id: the profile changed is always the caller's.
 * Format rules (lengths, charset, https) live in the service, shared with every transport;
 * the decorators only let the global validation pipe keep the fields.
 */
@InputType('UpdateProfileInput', { description: "Changes to the caller's own profile." })
export class UpdateProfileInput {
  @Field(() => String, {
    nullable: true,
    description: 'New nickname: 3–32 letters, digits or underscores; unique ignoring case.',
  })
  @IsOptional()
  @IsString()
  nickname?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Name shown in clients, at most 64 characters without control, format or invisible characters; null or blank clears it.',
  })
  @IsOptional()
  @IsString()
  displayName?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'About the user, at most 500 characters without control, format or invisible characters (line breaks and tabs allowed); null clears it.',
  })
  @IsOptional()
  @IsString()
  bio?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'An https URL of the avatar image, at most 2048 characters; null clears it.',
  })
  @IsOptional()
  @IsString()
  avatarUrl?: string | null;
}
