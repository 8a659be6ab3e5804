# syntax=docker/dockerfile:1
# Multi-stage: `build` compiles with dev dependencies; `runtime` carries only dist/ and the
# production node_modules and runs as the unprivileged `node` user. `emulator` is the Oz API
# Instant emulator, for docker-compose and CI only (it is a test double, never for production).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]

FROM node:24-bookworm-slim AS emulator
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY test/oz-emulator ./test/oz-emulator
USER node
ENV OZ_EMULATOR_PORT=8080 OZ_EMULATOR_HOST=0.0.0.0
EXPOSE 8080
CMD ["node", "--import", "tsx", "test/oz-emulator/main.ts"]
