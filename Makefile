GO ?= go
BIN := bin/sshtrail
FUZZTIME ?= 60s

.PHONY: build test bench demo fuzz vet clean

build:
	$(GO) build -o $(BIN) ./cmd/sshtrail

test:
	$(GO) vet ./...
	$(GO) test ./...

bench: build
	./scripts/bench.sh

demo: build
	./$(BIN) demo

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
