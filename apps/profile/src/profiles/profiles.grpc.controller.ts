import { Controller } from '@nestjs/common';
import { ProfileV1 } from '@app/contracts';
import { ProfileEntity } from './entities/profile.entity';
import { ProfilesService } from './profiles.service';
import { UserErasureService } from './user-erasure.service';

/** proto3 has no null: absent optional strings travel as empty strings. */
const toProto = (profile: ProfileEntity): ProfileV1.Profile => ({
  id: profile.id,
  nickname: profile.nickname,
  displayName: profile.displayName ?? '',
  avatarUrl: profile.avatarUrl ?? '',
});

/**
 * `profile.v1.ProfileService`, the internal API other services call: batch profile
 * lookups, the nickname steps of auth's registration saga, and the erasure of an account
 * auth has just deleted. Domain errors become gRPC
 * statuses in the platform's TransportExceptionFilter.
 */
@Controller()
@ProfileV1.ProfileServiceControllerMethods()
export class ProfilesGrpcController implements ProfileV1.ProfileServiceController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly erasure: UserErasureService,
  ) {}

  async getProfiles(request: ProfileV1.GetProfilesRequest): Promise<ProfileV1.GetProfilesResponse> {
    const found = await this.profiles.getMany(request.ids ?? []);
    return { profiles: found.map(toProto) };
  }

  async reserveNickname(
    request: ProfileV1.ReserveNicknameRequest,
  ): Promise<ProfileV1.ReserveNicknameResponse> {
    await this.profiles.reserveNickname(request.userId, request.nickname);
    return { reserved: true };
  }

  async releaseNickname(
    request: ProfileV1.ReleaseNicknameRequest,
  ): Promise<ProfileV1.ReleaseNicknameResponse> {
    await this.profiles.releaseNickname(request.userId);
    return {};
  }

  async eraseUser(request: ProfileV1.EraseUserRequest): Promise<ProfileV1.EraseUserResponse> {
    await this.erasure.eraseDeleted(request.userId);
    return {};
  }
}
