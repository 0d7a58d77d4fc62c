# The image deploy/deployment.yaml runs: the packed npm package, installed with its run-time
# dependencies only, run as a non-root user. Build: docker build -t ghcr.io/<you>/tollgate:0.1.0 .
# (The machines tollgate is developed on have no Docker engine; CI does not build this image.
# test/package/dockerfile.test.ts checks what it copies.)

# 1. Pack: `npm pack` builds dist/ and the Rego runtime (prepack) and makes the tarball users install.
FROM node:20-bookworm-slim AS pack
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm pack --pack-destination /pack \
 && npm prune --omit=dev --no-audit --no-fund

# 2. Install: the tarball's files, and the run-time dependencies as package-lock.json pins them.
FROM node:20-bookworm-slim AS install
WORKDIR /opt/tollgate
COPY --from=pack /pack/ /pack/
RUN tar -xzf /pack/tollgate-*.tgz --strip-components=1 -C /opt/tollgate
COPY --from=pack /src/node_modules/ /opt/tollgate/node_modules/
RUN mkdir -p /var/lib/tollgate

# 3. Run: nothing but the installed package, as an unprivileged user.
FROM node:20-bookworm-slim
COPY --from=install /opt/tollgate/ /opt/tollgate/
COPY --from=install --chown=10001:10001 /var/lib/tollgate/ /var/lib/tollgate/
USER 10001:10001
WORKDIR /var/lib/tollgate
ENTRYPOINT ["node", "/opt/tollgate/bin/tollgate.js"]
