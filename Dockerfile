# The image deploy/deployment.yaml runs. Build: docker build -t ghcr.io/<you>/tollgate:0.1.0 .
# (The machines tollgate is developed on have no Docker engine; CI does not build this image.)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
# npm ci runs `prepare`, which builds the policy runtime (build/rego-runtime.wasm) with the dev
# dependencies; they are dropped afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/schemas ./schemas
USER 10001
ENTRYPOINT ["node", "/app/bin/tollgate.js"]
