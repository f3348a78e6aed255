import { AuthV1 } from '@app/contracts';
import { GrpcMethod } from '@nestjs/microservices';

/**
 * Makes the named methods of the class the handlers of those `auth.v1.AuthService` RPCs:
 * what the generated `AuthServiceControllerMethods()` does for the whole service, for
 * controllers that serve a part of it each (accounts, sessions, administration). Names are
 * checked against the generated interface, and a class lacking one fails at start-up.
 *
 * A class decorator on purpose: a decorator on a method would make TypeScript record the
 * method's parameter types, and the global validation pipe would then try to check the
 * generated request types (which are also values: their codecs) as DTO classes.
 */
export function AuthServiceMethods(
  ...methods: Array<keyof AuthV1.AuthServiceController>
): ClassDecorator {
  return (constructor) => {
    const prototype = constructor.prototype as object;
    for (const method of methods) {
      const descriptor = Reflect.getOwnPropertyDescriptor(prototype, method);
      if (!descriptor) throw new Error(`${constructor.name} does not implement ${method}`);
      GrpcMethod(AuthV1.AUTH_SERVICE_NAME, method)(prototype, method, descriptor);
      Object.defineProperty(prototype, method, descriptor);
    }
  };
}
