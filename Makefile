# Paradiffuse: `make run` generates digits with the model that ships with the project; `make test` runs the tests.
# Both install what is missing first (oneDNN 3.2 from PyPI into /usr/local, libpng-dev and Open MPI from Debian).

SWIFT ?= swift
OUTPUT ?= digits-$(shell date +%Y%m%d-%H%M%S).png

.PHONY: setup build run test bench fuzz

setup:
	@bash Tools/setup/install-dependencies.sh

build: setup
	$(SWIFT) build -c release --product paradiffuse

run: build
	.build/release/paradiffuse generate --class 7 --count 8 --steps 100 --seed 7 --grid --output $(OUTPUT)

test: setup
	$(SWIFT) test

bench: build
	.build/release/paradiffuse bench --batch 1

# Each fuzz target for FUZZ_SECONDS (default 60); see Tools/fuzz/run.sh.
fuzz: setup
	bash Tools/fuzz/run.sh
