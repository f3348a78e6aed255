import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import { LoginDto } from './login.dto';
import { RegisterDto } from './register.dto';
import { validateRequest } from './validate-request';

const valid = { email: 'alice@example.test', password: 'long enough', nickname: 'Alice_1' };

async function refusal(dto: new () => object, request: unknown): Promise<DomainError> {
  const error = await validateRequest(dto, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('validateRequest', () => {
  it('returns the typed request when every rule holds', async () => {
    await expect(validateRequest(RegisterDto, valid)).resolves.toMatchObject(valid);
  });

  it('lists every broken field in one INVALID_ARGUMENT error', async () => {
    const error = await refusal(RegisterDto, { email: 'nope', password: 'short', nickname: 'a b' });

    expect(error.kind).toBe('INVALID_ARGUMENT');
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.details?.map((d) => d.field).sort()).toEqual(['email', 'nickname', 'password']);
    expect(error.message).toContain('email must be a valid email address');
    expect(error.message).toContain('password must be 8 to 128 characters long');
  });

  it.each([
    ['password of 7 characters', { password: '1234567' }, 'password'],
    ['password of 129 characters', { password: 'x'.repeat(129) }, 'password'],
    ['nickname of 2 characters', { nickname: 'ab' }, 'nickname'],
    ['nickname of 33 characters', { nickname: 'a'.repeat(33) }, 'nickname'],
    ['nickname with a dash', { nickname: 'ali-ce' }, 'nickname'],
    ['missing email', { email: '' }, 'email'],
  ])('refuses a %s', async (_case, override, field) => {
    const error = await refusal(RegisterDto, { ...valid, ...override });
    expect(error.details?.map((d) => d.field)).toContain(field);
  });

  it('accepts passwords at both length limits', async () => {
    await expect(
      validateRequest(RegisterDto, { ...valid, password: 'x'.repeat(8) }),
    ).resolves.toBeDefined();
    await expect(
      validateRequest(RegisterDto, { ...valid, password: 'x'.repeat(128) }),
    ).resolves.toBeDefined();
  });

  it('bounds login input but does not judge the email format', async () => {
    await expect(
      validateRequest(LoginDto, { email: 'whatever', password: 'p' }),
    ).resolves.toBeDefined();
    const error = await refusal(LoginDto, { email: 'a@b.c', password: 'x'.repeat(129) });
    expect(error.details?.[0].field).toBe('password');
  });
});
