# syntax=docker/dockerfile:1
#
# One image recipe for both wallet services. SERVICE picks which one the image runs:
#   docker build --build-arg SERVICE=user-service -t wallet-user-service .
#   docker build --build-arg SERVICE=transactions-service -t wallet-transactions-service .
# docker-compose.yml builds both. The runtime stage has production dependencies only and runs as `node`.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript to dist/ ----------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build

# ---- runtime: production dependencies, compiled code, SQL migrations ----------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=user-service

# 4 MB semi-spaces and a 128 MB old space: under load V8 otherwise grows both and the RSS passes
# 220 MB while the live heap stays near 36 MB; measured in bench/tuning-notes.md (no throughput lost).
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=4 --max-old-space-size=128" \
    HOST=0.0.0.0 \
    WALLET_SERVICE=${SERVICE}
WORKDIR /app

# No install scripts: the production dependencies are plain JavaScript and need none.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Code and migrations stay owned by root: the service can read them but not change them.
# `npm run build` puts each service's SQL migrations in dist beside its compiled code.
COPY --from=build /app/dist ./dist

# Fail the build, not the container, when SERVICE names no service.
RUN test -f "dist/services/${SERVICE}/src/server.js" \
    || { echo "SERVICE=${SERVICE}: dist/services/${SERVICE}/src/server.js not found" >&2; exit 1; }

USER node

# `exec` hands PID 1 (or tini's child, with compose `init: true`) to node, so SIGTERM reaches it.
CMD ["/bin/sh", "-c", "exec node \"dist/services/${WALLET_SERVICE}/src/server.js\""]
