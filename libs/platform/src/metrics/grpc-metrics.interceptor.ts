import {
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerInterceptingCall,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { grpcCodeName } from './outcome';
import { MetricsService } from './metrics';

/**
 * Times every unary call of the service's own gRPC API into `grpc_server_handling_seconds`
 * — proto service and method (`AuthService`, `ValidateToken`) and the name of the status
 * the caller receives — as a grpc-js server interceptor, so the figure covers what the
 * caller waits for (guards, validation and the exception filter included) while the calls
 * skip Nest's interceptor chain, which on a call as cheap as `ValidateToken` was a fifth of
 * auth's CPU (`npm run bench`, case B).
 *
 * The infrastructure services every server carries (`grpc.health.v1`, reflection) are not
 * the API and are left out, as are streaming methods, whose duration is the stream's life.
 */
export function grpcMetricsInterceptor(metrics: MetricsService): ServerInterceptor {
  return (
    method: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    const labels = apiMethodLabels(method);
    if (!labels) return new ServerInterceptingCall(call);
    const stop = metrics.grpcDuration.startTimer(labels);
    let recorded = false;
    const record = (code: string) => {
      if (recorded) return;
      recorded = true;
      stop({ grpc_code: code });
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => record('CANCELLED') }),
      sendStatus: (status, next) => {
        record(grpcCodeName(status.code));
        next(status);
      },
    });
  };
}

/** `{grpc_service, grpc_method}` of a unary API method, or undefined for anything else. */
function apiMethodLabels(
  method: ServerMethodDefinition<unknown, unknown>,
): { grpc_service: string; grpc_method: string } | undefined {
  if (method.requestStream || method.responseStream) return undefined;
  // `/auth.v1.AuthService/ValidateToken`
  const [, qualifiedService = '', name = ''] = method.path.split('/');
  if (qualifiedService.startsWith('grpc.')) return undefined;
  return {
    grpc_service: qualifiedService.slice(qualifiedService.lastIndexOf('.') + 1),
    grpc_method: name,
  };
}
