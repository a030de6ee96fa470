# Phalanx: the two commands of the Quick start, and their parts.
#   make demo   compile the examples and run them with a check against the
#               float64 reference (on the GPU when one is present)
#   make test   every suite: lit, runtime unit tests, Python tests
BUILD_DIR ?= build
LLVM_DIR  ?= /usr/lib/llvm-22
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@command -v ccache >/dev/null && launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache" || launcher=""; \
	cmake -G Ninja -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir -DPython3_EXECUTABLE=$(CURDIR)/.venv/bin/python \
	  $$launcher $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@echo "[build] ninja -C $(BUILD_DIR)"
	@ninja -C $(BUILD_DIR)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

test: build
	@.venv/bin/python scripts/run-tests.py --build-dir $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
