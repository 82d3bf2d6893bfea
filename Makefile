# Two commands: `make dev` runs the app, `make test` runs every test. Both start Postgres and
# Redis when none is configured (see scripts/with-services.sh).
SHELL := /bin/bash
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: dev test build image web bench e2e fuzz faults clean

dev: web
	@scripts/with-services.sh go run -ldflags "$(LDFLAGS)" ./cmd/boomerang dev

test: web
	@scripts/with-services.sh scripts/test.sh

build: web
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/boomerang ./cmd/boomerang

# The container image, versioned like `make build` (the image itself never sees .git).
image:
	docker build --build-arg VERSION=$(VERSION) -t boomerang:$(VERSION) .

web:
	@scripts/web-build.sh

e2e: web
	@scripts/with-services.sh scripts/e2e.sh

# Micro-benchmarks of the pure parts; see docs/benchmarks.md for the end-to-end runs.
bench: web
	@scripts/with-services.sh go test -run '^$$' -bench . -benchmem ./sentiment/ ./delivery/ ./models/... ./shopify/

# Fuzzing of every parser that faces the internet, FUZZTIME (default 30s) each.
fuzz:
	@scripts/with-services.sh scripts/fuzz.sh

# The fault matrix (docs/reliability.md): each fault injected by its test, one line per fault.
faults:
	@scripts/with-services.sh scripts/faults.sh

clean:
	rm -rf bin .dev web/dist/assets web/dist/index.html
