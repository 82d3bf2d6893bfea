# The same steps as `make build`: build the admin front end, then one static Go binary.
# Run the image with `serve`, `worker` or `migrate` and the environment from the README.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
# `make image` passes `git describe --always --dirty`; .dockerignore keeps .git out of the context.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/boomerang ./cmd/boomerang

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/boomerang /usr/local/bin/boomerang
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/boomerang"]
CMD ["serve"]
