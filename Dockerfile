# One image for the API and the worker; docker-compose.yml chooses the command of each.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The exact versions of the lock (.ci/run says why `npm install` with the lock rather than `npm ci`).
RUN npm install --no-audit --no-fund
COPY . .
# The web page Express serves (web/dist), then only what runs: tsx runs the TypeScript sources.
RUN npx vite build web && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# psql, pg_dump and pg_restore for operators: Debian bookworm's PostgreSQL 15 client, the major version of
# the compose `postgres` service. (npm run backup dumps the tables itself, as JSON lines, into the store.)
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    DATA_ROOT=/data \
    API_HOST=0.0.0.0 \
    API_PORT=3000
COPY --from=build --chown=node:node /app /app
# Owned by the runtime user, so a fresh named volume mounted here is writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/server.ts"]
