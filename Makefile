GO ?= go
BIN := bin/sshtrail
FUZZTIME ?= 60s

.PHONY: build test bench demo fuzz vet clean lint

lint:
	$(GO) run $(STATICCHECK) ./...

build:
	$(GO) build -o $(BIN) ./cmd/sshtrail

# Pinned: a newer staticcheck can add checks and turn CI red on its own.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

test:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) test -timeout 25m ./...

bench: build
	./scripts/bench.sh

demo: build
	./$(BIN) demo

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
