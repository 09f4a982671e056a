# One-command entry points. Both install missing dependencies first (idempotent).
#   make run    build and start modelpressd on localhost:50051 (metrics on :9464)
#   make test   build and run every test through ctest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
WERROR ?= $(if $(CI),ON,OFF)
SANITIZE ?= OFF
DATA_DIR ?= ./var/modelpress

.PHONY: deps configure build run test bench format lint clean asan

deps:
	bash deploy/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMODELPRESS_WERROR=$(WERROR) -DMODELPRESS_SANITIZE=$(SANITIZE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the server and the CLI: starting it should not wait for tests and benchmarks.
run: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target modelpressd modelpress
	mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/bin/modelpressd --port=50051 --metrics_port=9464 --data_dir=$(DATA_DIR) \
	  --log_format=text

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 900

bench: build
	$(BUILD_DIR)/bin/modelpress_bench --benchmark_counters_tabular=true

asan:
	$(MAKE) test BUILD_DIR=build-asan SANITIZE=ON BUILD_TYPE=Debug

format:
	find core server client bench tests -name '*.cc' -o -name '*.h' | xargs clang-format -i

lint:
	tests/e2e/node_modules/.bin/buf lint

clean:
	rm -rf $(BUILD_DIR)
