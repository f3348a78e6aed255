import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { ErrorCodes, SocketApi } from '@app/contracts';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { requestValidationPipe, validateDto } from './class-validation';
import { SchemaValidationPipe } from './schema-validation';
import { assertUuid, validationFailed } from './validation-failed';

class SignUpDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters long' })
  password: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,32}$/, { message: 'nickname must be 3 to 32 word characters' })
  nickname: string;
}

const valid = { email: 'alice@example.test', password: 'long enough', nickname: 'Alice_1' };

/** The error `run` throws or rejects with, which must be a `type`. */
async function refusalOf<E>(
  run: () => unknown,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const refusal = (run: () => unknown) => refusalOf(run, DomainError);

describe('validationFailed', () => {
  it('is INVALID_ARGUMENT COMMON.VALIDATION_FAILED naming each field', () => {
    const error = validationFailed([
      { field: 'bio', message: 'too long' },
      { field: 'nickname', message: 'taken' },
    ]);
    expect(error).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code: ErrorCodes.VALIDATION_FAILED,
      message: 'bio: too long; nickname: taken',
      details: [
        { field: 'bio', message: 'too long' },
        { field: 'nickname', message: 'taken' },
      ],
    });
  });

  it('takes a message of its own', () => {
    expect(validationFailed([{ field: 'x', message: 'y' }], 'Bad x').message).toBe('Bad x');
  });
});

describe('assertUuid', () => {
  it('returns a UUID lower-cased', () => {
    expect(assertUuid('id', 'C0000000-0000-4000-8000-00000000000A')).toBe(
      'c0000000-0000-4000-8000-00000000000a',
    );
  });

  it.each([['not-a-uuid'], [42], [undefined]])('refuses %p naming the field', async (value) => {
    const error = await refusal(() => assertUuid('userId', value));
    expect(error.message).toBe('userId: must be a UUID');
    expect(error.details).toEqual([{ field: 'userId', message: 'must be a UUID' }]);
  });
});

describe('validateDto', () => {
  it('returns the typed request when every rule holds', async () => {
    const dto = await validateDto(SignUpDto, valid);
    expect(dto).toBeInstanceOf(SignUpDto);
    expect(dto).toMatchObject(valid);
  });

  it('drops fields the DTO does not declare', async () => {
    await expect(validateDto(SignUpDto, { ...valid, admin: true })).resolves.not.toHaveProperty(
      'admin',
    );
  });

  it('lists every broken field in one INVALID_ARGUMENT error', async () => {
    const error = await refusal(() =>
      validateDto(SignUpDto, { email: 'nope', password: 'short', nickname: 'a b' }),
    );
    expect(error.kind).toBe('INVALID_ARGUMENT');
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.details?.map((d) => d.field).sort()).toEqual(['email', 'nickname', 'password']);
    expect(error.message).toMatch(/^Invalid request: /);
    expect(error.message).toContain('email must be a valid email address');
    expect(error.message).toContain('password must be 8 to 128 characters long');
  });

  it.each([
    ['password of 7 characters', { password: '1234567' }, 'password'],
    ['password of 129 characters', { password: 'x'.repeat(129) }, 'password'],
    ['nickname with a dash', { nickname: 'ali-ce' }, 'nickname'],
    ['missing email', { email: '' }, 'email'],
  ])('refuses a %s', async (_case, override, field) => {
    const error = await refusal(() => validateDto(SignUpDto, { ...valid, ...override }));
    expect(error.details?.map((d) => d.field)).toContain(field);
  });

  it('checks an absent request as an empty one', async () => {
    const error = await refusal(() => validateDto(SignUpDto, undefined));
    expect(error.details?.map((d) => d.field).sort()).toEqual(
      expect.arrayContaining(['email', 'nickname', 'password']),
    );
  });
});

describe('requestValidationPipe', () => {
  const pipe = requestValidationPipe();
  const body: ArgumentMetadata = { type: 'body', metatype: SignUpDto };

  it('converts a valid body into the DTO', async () => {
    await expect(pipe.transform(valid, body)).resolves.toBeInstanceOf(SignUpDto);
  });

  it('answers broken rules and unknown fields with one DomainError', async () => {
    const error = await refusal(() =>
      pipe.transform({ ...valid, password: 'short', admin: true }, body),
    );
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.details).toEqual([
      { field: 'admin', message: 'property admin should not exist' },
      { field: 'password', message: 'password must be 8 to 128 characters long' },
    ]);
  });

  it("keeps the message Nest's own pipe gives", async () => {
    const input = { email: 'x', password: 'short', nickname: 'ok_nick', admin: true };
    const nest = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });
    const nestError = await refusalOf(() => nest.transform(input, body), BadRequestException);
    const { message } = nestError.getResponse() as { message: string[] };
    expect((await refusal(() => pipe.transform(input, body))).message).toBe(message.join('; '));
  });
});

describe('SchemaValidationPipe (the socket API contract)', () => {
  const pipe = new SchemaValidationPipe(SocketApi.ClientEventSchemas['message:send'].payload);
  const payload = {
    chatId: 'c0000000-0000-4000-8000-000000000001',
    clientMessageId: 'k',
    text: 'hi',
  };

  it('turns a bad payload into COMMON.VALIDATION_FAILED with the fields at fault', async () => {
    const error = await refusal(() =>
      pipe.transform({ chatId: 'not-a-uuid', clientMessageId: 'k1' }),
    );
    expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    expect(error.message).toMatch(/^Invalid payload: chatId: /);
    expect(error.details?.map((d) => d.field)).toEqual(expect.arrayContaining(['chatId', 'text']));
  });

  it('refuses fields the contract does not declare', async () => {
    const error = await refusal(() => pipe.transform({ ...payload, admin: true }));
    expect(error.details).toEqual([{ field: 'admin', message: expect.any(String) as unknown }]);
  });

  it('checks an absent payload as an empty one', async () => {
    const error = await refusal(() => pipe.transform(undefined));
    expect(error.details?.map((d) => d.field)).toEqual(expect.arrayContaining(['chatId']));
  });

  it('passes a valid payload through as the contract shapes it', () => {
    expect(pipe.transform(payload)).toEqual(payload);
  });
});
