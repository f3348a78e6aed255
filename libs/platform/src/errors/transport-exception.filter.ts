import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import type { Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { toGrpcError } from './grpc-error';
import { toHttpErrorBody } from './http-error';

/**
 * The one global filter of every service. Nest gives an error to the first global filter
 * that catches it, whatever the transport, so a single filter dispatches on the context:
 * HTTP routes answer `{statusCode, code, message}`, gRPC calls a status with the domain
 * code in a trailer. Other transports get the error untouched: the Kafka transport needs
 * it to retry and dead-letter, GraphQL and socket.io map it in their own formatter/ack.
 */
@Catch()
export class TransportExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    switch (host.getType<string>()) {
      case 'http': {
        const body = toHttpErrorBody(exception, this.logger);
        host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
        return;
      }
      case 'rpc':
        if (host.switchToRpc().getContext() instanceof Metadata) {
          const error = toGrpcError(exception, this.logger);
          return throwError(() => error);
        }
        return throwError(() => exception);
      default:
        throw exception;
    }
  }
}
