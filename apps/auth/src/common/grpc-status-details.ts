/**
 * `grpc-status-details-bin`: the standard place for rich gRPC errors, a serialized
 * `google.rpc.Status` whose `details` hold a `google.rpc.BadRequest` with one field
 * violation per invalid field — what grpcurl and Google-style clients display. Four tiny
 * messages, so they are encoded here by hand rather than pulling in the googleapis protos.
 */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

export interface FieldViolation {
  field: string;
  description: string;
}

/** `google.rpc.Status{code, message, details: [Any(BadRequest{field_violations})]}`. */
export function badRequestStatus(
  code: number,
  message: string,
  violations: readonly FieldViolation[],
): Buffer {
  const badRequest = Buffer.concat(
    violations.map((v) =>
      bytesField(1, Buffer.concat([stringField(1, v.field), stringField(2, v.description)])),
    ),
  );
  const any = Buffer.concat([stringField(1, BAD_REQUEST_TYPE_URL), bytesField(2, badRequest)]);
  return Buffer.concat([varintField(1, code), stringField(2, message), bytesField(3, any)]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

const varintField = (field: number, value: number) =>
  Buffer.concat([varint(field << 3), varint(value)]);

const bytesField = (field: number, value: Buffer) =>
  Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);

const stringField = (field: number, value: string) => bytesField(field, Buffer.from(value, 'utf8'));
