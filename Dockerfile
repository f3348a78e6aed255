# syntax=docker/dockerfile:1.7
#
# One Dockerfile for all four services: the monorepo compiles every app and lib in a
# single SWC pass, so building per app would only repeat that work. The `APP` build arg
# picks which entry point the runtime image starts:
#
#   docker build --build-arg APP=auth -t messenger/auth .
#
# docker-compose.yml builds the four images from here; they share every layer of the
# build stage, so the second to fourth builds cost only their small runtime stage.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------
# build: full dependency tree (SWC, buf, ts-proto are dev dependencies) and `npm run build`.
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# `npm ci` runs the package's `prepare` script (proto generation through buf), so what
# that script reads has to be here before the install. Copying only those files, not the
# whole tree, keeps the dependency layer cached across ordinary source edits.
COPY package.json package-lock.json buf.yaml buf.gen.yaml ./
COPY scripts/ scripts/
COPY proto/ proto/
# The cache mount keeps npm's tarball cache between builds without baking it into a layer.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

COPY . .
# Regenerates the gRPC contracts (buf) and compiles apps + libs into dist/, with proto/
# copied to dist/proto so the runtime image never needs the source tree.
RUN npm run build

# ---------------------------------------------------------------------------------------
# runtime: production dependencies and the compiled output of one app.
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# Declared after FROM because a build arg is scoped to the stage that names it.
ARG APP
# Fail the build with a clear message rather than ship an image that cannot start.
RUN test -n "${APP}" || (echo 'build arg APP is required: auth | profile | friends | messenger' >&2; exit 1)

WORKDIR /app

# PROTO_DIR: libs/contracts loads .proto files at run time (@grpc/proto-loader) and would
# otherwise resolve them relative to its own compiled location; pinning it here makes
# the image independent of dist/'s internal layout. APP is copied from the build arg into
# the environment so the start command and the healthcheck can read it at run time.
ENV NODE_ENV=production \
    PROTO_DIR=/app/dist/proto \
    APP=${APP}

COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` script generates proto types with buf, a
# dev dependency that is deliberately absent here (the types are already compiled into
# dist/). It also skips dependencies' install hooks, which for the production tree are
# only version notices and telemetry (protobufjs, @scarf/scarf); native modules such as
# @node-rs/argon2 ship prebuilt binaries as optional dependencies, not install scripts.
# The kustomize binary is an optional dependency too (so installs on platforms it is not
# published for still succeed) but only the manifest tests use it: it is removed here.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/@install-binary

# Only the selected app plus the shared libs and protos: a smaller image, and an image
# that cannot accidentally start a different service.
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/proto ./dist/proto
RUN test -f "dist/apps/${APP}/src/main.js" || (echo "no app named '${APP}' in dist/apps" >&2; exit 1)

# Everything above stays owned by root, so the service cannot rewrite its own code.
# The numeric id (the image's `node` user) rather than the name lets Kubernetes verify
# runAsNonRoot without an explicit runAsUser.
USER 1000:1000

# The default HTTP ports of ARCHITECTURE.md and the gRPC ports; compose and k8s publish
# what they need, this is documentation for `docker run -P`.
EXPOSE 3001 3002 3003 3004 50051 50052 50053

# Node's built-in fetch keeps the image free of curl/wget. The port falls back to the
# service's documented default when HTTP_PORT is not set, mirroring the config defaults.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "const d={auth:3001,profile:3002,friends:3003,messenger:3004};const p=process.env.HTTP_PORT||d[process.env.APP];fetch('http://127.0.0.1:'+p+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# `exec` replaces the shell so node is PID 1 and receives SIGTERM directly; Nest's
# shutdown hooks then drain readiness, Kafka consumers and connections. The shell is
# there only to expand $APP, which exec-form CMD cannot do.
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
