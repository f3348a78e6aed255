import * as grpc from '@grpc/grpc-js';
import { Client } from 'pg';
import { serviceEnv } from '../../../test/e2e/support/stack';

export { failure, newUser } from '../../../test/e2e/support/clients';

/** The stable domain code of a failed gRPC call (the `x-error-code` trailer). */
export const errorCode = (error: grpc.ServiceError): unknown =>
  error.metadata?.get('x-error-code')[0];

/**
 * A connection to the auth service's own e2e database, for what a user cannot see through
 * the API but the test must prove (a stored hash, the signing keys an attacker might steal).
 */
export async function authDatabase(): Promise<Client> {
  const client = new Client({ connectionString: serviceEnv('auth').DATABASE_URL });
  await client.connect();
  return client;
}

/** Fields of a protobuf message: field number → values (numbers for varints, else bytes). */
function decodeFields(buffer: Buffer): Map<number, Array<number | Buffer>> {
  const fields = new Map<number, Array<number | Buffer>>();
  let offset = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buffer[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key % 8];
    let value: number | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = varint();
      value = buffer.subarray(offset, offset + length);
      offset += length;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

/**
 * The field violations of a failed call's `grpc-status-details-bin` trailer
 * (`google.rpc.Status` → `Any` → `google.rpc.BadRequest`), as a client library reads them.
 */
export function fieldViolations(
  error: grpc.ServiceError,
): Array<{ field: string; description: string }> {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(raw)) return [];
  const status = decodeFields(raw);
  return (status.get(3) ?? []).flatMap((any) => {
    const anyFields = decodeFields(any as Buffer);
    const typeUrl = (anyFields.get(1)?.[0] as Buffer).toString();
    if (typeUrl !== 'type.googleapis.com/google.rpc.BadRequest') return [];
    const badRequest = decodeFields(anyFields.get(2)?.[0] as Buffer);
    return (badRequest.get(1) ?? []).map((violation) => {
      const v = decodeFields(violation as Buffer);
      return {
        field: (v.get(1)?.[0] as Buffer).toString(),
        description: (v.get(2)?.[0] as Buffer).toString(),
      };
    });
  });
}
