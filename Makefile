# Keel: the user's entry point.
#   make            build build/keel.iso (kernel/main.ts) and build/keel.elf
#   make run        boot it in QEMU, serial on the terminal (Ctrl-C or Ctrl-A X quits);
#                   ENTRY=path.ts boots another entry file (e.g. test/kernels/hang_one.ts)
#   make test       build the test images, then run vitest (unit + QEMU tests)
#   make test-all   make test with the heavy matrices (KEEL_TEST_ALL=1): every boot
#                   configuration, more random programs
#   make gdb        the -Og image under QEMU halted + GDB attached (serial in build/gdb-serial.log)
#   make fuzz       libFuzzer campaign (ASan + UBSan) on the boot-information parser and the
#                   allocator, compiled from the kernel's TypeScript (test/fuzz/):
#                   FUZZ_SECONDS=600 per target, FUZZ_RUNS=10000000 at most, FUZZ_JOBS=1
#   make bench      instruction counts (QEMU -icount) of memory init and the memory
#                   operations at several RAM sizes, and compile time: build/bench.json
#   make serve      start a resident keelc (build/keelc.sock): later builds compile in a
#                   fraction of the time, with output identical to a cold keelc's;
#                   make serve-stop stops it (it also exits after 2 idle hours, or when
#                   compiler/ changes)
#   make edit-loop-bench  time `make` after a one-line change to kernel/main.ts (median of
#                   3, cold keelc and resident keelc): build/edit-loop.json
#   make deps       install missing tools (apt) and npm packages
#   make clean      remove build/
# Variables:
#   QEMU_EXTRA="..."   extra QEMU arguments for run, gdb and the QEMU tests (e.g.
#                      QEMU_EXTRA="-machine q35 -m 4G" or "-bios /usr/share/ovmf/OVMF.fd")
#   KEELC="..."        compiler command (default: node compiler/bin/keelc.mjs)
#   KEEL_OPT=-O3       optimisation level of the kernel C; KEEL_CFLAGS= extra gcc flags
#   VITEST="..."       the test runner command (default: npx vitest run)
#   TEST_ARGS="..."    more vitest arguments, e.g. TEST_ARGS="-t heap" (tests whose name
#                      matches) or TEST_ARGS="test/qemu" (those files)
#   KEEL_TEST=regex    only the in-kernel tests whose name matches (the kernel runs just
#                      those: tests= on its command line); every other test still runs
#   FIXTURES="..."     harness fixture kernels (default: every test/kernels/*.ts); each
#                      builds into build/fixture-<basename>/
#   GDB_PORT=auto      GDB stub port for make gdb (auto: a free one)
#   RUN_UNITY=0        the run image (and ENTRY images) compile module by module, so an edit
#                      recompiles only the modules whose C changed; RUN_UNITY=1: one unity
#                      translation unit as the test, fixture and bench images (cross-module
#                      inlining, a few seconds of gcc per build)

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

QEMU_EXTRA ?=
KEELC ?=
KEEL_OPT ?= -O3
KEEL_CFLAGS ?=
VITEST ?= npx vitest run
FIXTURES ?= $(wildcard test/kernels/*.ts)
GDB_PORT ?= auto
RUN_UNITY ?= 0
export QEMU_EXTRA KEELC KEEL_OPT KEEL_CFLAGS

# Everything an image depends on: rebuild when any of it changes.
KERNEL_SRCS := $(shell find kernel -name '*.ts' 2>/dev/null)
COMPILER_SRCS := $(shell find compiler -type f 2>/dev/null)
BOOT_SRCS := $(shell find boot -type f 2>/dev/null) linker.ld qemu/build-image.sh qemu/grub-iso.sh \
    qemu/line_table.ts qemu/line-table.mjs qemu/ktap_manifest.ts qemu/ktap-manifest.mjs qemu/import_ts.mjs
IMAGE_DEPS := $(KERNEL_SRCS) $(COMPILER_SRCS) $(BOOT_SRCS)
# An image built by keelc depends on its program's .ts files only: keelc --deps writes them
# to build/NAME/keel.iso.d (included below). Without that file yet (first build, or another
# KEELC), every kernel source counts. So a change to kernel/console/ rebuilds the run image,
# not the test image.
BUILD_DEPS := $(COMPILER_SRCS) $(BOOT_SRCS)
ts_deps = $(if $(wildcard $(1).d),,$(KERNEL_SRCS))
-include $(wildcard build/*/keel.iso.d)
FIXTURE_SRCS := $(shell find test/kernels -name '*.ts' 2>/dev/null)
FIXTURE_ISOS := $(foreach f,$(FIXTURES),build/fixture-$(basename $(notdir $(f)))/keel.iso)
FUZZ_SRCS := $(shell find test/fuzz -name '*.ts' 2>/dev/null) $(shell find test/boot -name 'builder.ts' 2>/dev/null)
FUZZERS := build/fuzz/boot_fuzz build/fuzz/alloc_fuzz

# Tools: `deps` installs these Debian packages when a tool or file below is missing.
APT_PACKAGES := qemu-system-x86 grub-pc-bin grub-common grub-efi-amd64-bin xorriso mtools ovmf gdb clang libclang-rt-dev
DEPS_TOOLS := qemu-system-x86_64 grub-mkrescue grub-file xorriso mformat gdb clang
DEPS_FILES := /usr/share/ovmf/OVMF.fd /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi

.PHONY: all run test test-images test-all gdb bench bench-readme fuzz deps clean serve serve-stop edit-loop-bench

all: build/keel.iso build/keel.elf

# The run image (kernel/main.ts); build/keel.{iso,elf} point at it.
build/run/keel.iso: kernel/main.ts $(BUILD_DEPS) $(call ts_deps,build/run/keel.iso) | deps
	KEEL_UNITY=$(RUN_UNITY) qemu/build-image.sh run kernel/main.ts
build/run/keel.elf: build/run/keel.iso

# The in-kernel test suite (KTAP on COM1), booted with 64 GRUB modules (all reserved); its
# 4 MiB object arena puts whole 2 MiB blocks in .bss, for the tests of the image's 2 MiB pages.
build/test/keel.iso: kernel/test_main.ts $(BUILD_DEPS) $(call ts_deps,build/test/keel.iso) | deps
	KEEL_GRUB_MODULES=64 KEEL_ARENA_BYTES=0x400000 qemu/build-image.sh test kernel/test_main.ts

# Harness fixtures: test/kernels/NAME.ts -> build/fixture-NAME/.
.SECONDEXPANSION:
build/fixture-%/keel.iso: test/kernels/%.ts $(BUILD_DEPS) $$(call ts_deps,build/fixture-$$*/keel.iso) | deps
	qemu/build-image.sh fixture-$* $<

build/keel.iso: build/run/keel.iso
	ln -sfn run/keel.iso $@
build/keel.elf: build/run/keel.elf
	ln -sfn run/keel.elf $@

# make run ENTRY=path.ts boots any entry file (a fixture, a program of your own) from a
# build directory of its own, build/entry-<path>/.
ifneq ($(ENTRY),)
ENTRY_NAME := entry-$(subst /,-,$(basename $(ENTRY)))
RUN_ISO := build/$(ENTRY_NAME)/keel.iso
$(RUN_ISO): $(ENTRY) $(BUILD_DEPS) $(call ts_deps,$(RUN_ISO)) | deps
	KEEL_UNITY=$(RUN_UNITY) qemu/build-image.sh $(ENTRY_NAME) $(ENTRY)
else
RUN_ISO := build/keel.iso
endif

run: $(RUN_ISO) | deps
	qemu/run.sh $(RUN_ISO) $(QEMU_EXTRA)

# The images the tests boot, built two at a time: each build is mostly one single-threaded
# keelc, then gcc, so on two cores a pair overlaps (the fresh-clone build took 5 minutes in a row).
# Their keelc runs share one resident keelc (qemu/with-resident-keelc.sh; output identical).
TEST_IMAGES := build/test/keel.iso build/run/keel.iso $(FIXTURE_ISOS) $(FUZZERS)
test-images: | deps
	qemu/with-resident-keelc.sh $(MAKE) -j2 $(TEST_IMAGES)

test: test-images | deps
	$(VITEST) $(TEST_ARGS)

test-all: test-images | deps
	KEEL_TEST_ALL=1 $(VITEST) $(TEST_ARGS)

# libFuzzer targets (test/fuzz/NAME_target.ts -> build/fuzz/NAME_fuzz); make test runs a
# few seconds of each (test/fuzz/fuzz_native.test.ts), make fuzz a campaign.
build/fuzz/%_fuzz: test/fuzz/%_target.ts test/fuzz/driver.c test/fuzz/build.sh $(FUZZ_SRCS) $(IMAGE_DEPS) | deps
	test/fuzz/build.sh $*

fuzz: $(FUZZERS) | deps
	test/fuzz/run.sh

# The benchmark kernel (kernel/bench_main.ts).
build/bench/keel.iso: kernel/bench_main.ts $(BUILD_DEPS) $(call ts_deps,build/bench/keel.iso) | deps
	qemu/build-image.sh bench kernel/bench_main.ts

# The reference C multiboot2 kernel make bench times Keel's boot against.
build/reference/keel.iso: test/reference/reference_kernel.c test/reference/linker.ld qemu/build-reference.sh boot/grub.cfg | deps
	qemu/build-reference.sh

bench: build/bench/keel.iso build/run/keel.iso build/reference/keel.iso | deps
	npx tsx qemu/bench.ts

# README.md's measurement table, from build/bench.json.
bench-readme:
	npx tsx qemu/bench_readme.ts

# The debugging image: kernel/main.ts at -Og (locals stay visible), in a directory of its
# own, so the optimisation level is part of the image's identity and never reused stale.
build/gdb/keel.iso: kernel/main.ts $(BUILD_DEPS) $(call ts_deps,build/gdb/keel.iso) | deps
	KEEL_OPT=-Og qemu/build-image.sh gdb kernel/main.ts
build/gdb/keel.elf: build/gdb/keel.iso

gdb: build/gdb/keel.iso build/gdb/keel.elf | deps
	KEEL_GDB_PORT=$(GDB_PORT) qemu/gdb/run-gdb.sh build/gdb/keel.elf build/gdb/keel.iso $(QEMU_EXTRA)

# The resident keelc (compiler/src/server.ts). keelc asks it when it answers on
# build/keelc.sock and compiles cold otherwise (KEELC_SERVER=0: always cold).
serve: | deps
	@if node compiler/bin/keelc.mjs serve --status | grep -q ' pid '; then \
	    node compiler/bin/keelc.mjs serve --status; \
	else \
	    mkdir -p build; \
	    setsid nohup node compiler/bin/keelc.mjs serve --warm kernel/main.ts >build/keelc-server.log 2>&1 </dev/null & \
	    for i in $$(seq 100); do [ -S build/keelc.sock ] && break; sleep 0.1; done; \
	    node compiler/bin/keelc.mjs serve --status; \
	    echo "keelc serve: log in build/keelc-server.log; make serve-stop stops it"; \
	fi

serve-stop:
	@node compiler/bin/keelc.mjs serve --stop

# The edit loop: `make` after a one-line change to kernel/main.ts (restored afterwards).
edit-loop-bench: build/keel.iso | deps
	npx tsx qemu/edit_loop_bench.ts

# Installs what is missing, says what and why; silent when all is there.
deps:
	@missing=""; \
	for t in $(DEPS_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	for f in $(DEPS_FILES); do [ -e $$f ] || missing="$$missing $$f"; done; \
	compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' >/dev/null || missing="$$missing libFuzzer"; \
	if [ -n "$$missing" ]; then \
	    echo "make deps: missing:$$missing"; \
	    echo "make deps: installing Debian packages: $(APT_PACKAGES)"; \
	    if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	    $$sudo apt-get update && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGES) || \
	        { echo "make deps: apt-get failed; install by hand: $(APT_PACKAGES)" >&2; exit 1; }; \
	fi
	@for t in gcc ld node npm; do \
	    command -v $$t >/dev/null 2>&1 || { echo "make deps: missing '$$t': install gcc, binutils and Node.js 20+ first" >&2; exit 1; }; \
	done
	@if [ ! -d node_modules ]; then \
	    echo "make deps: node_modules missing: npm ci"; npm ci && touch node_modules/.keel-stamp; \
	elif [ -e node_modules/.keel-stamp ]; then \
	    if [ package-lock.json -nt node_modules/.keel-stamp ]; then \
	        echo "make deps: package-lock.json changed: npm ci"; npm ci && touch node_modules/.keel-stamp; \
	    fi; \
	elif [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    echo "make deps: node_modules older than package-lock.json: npm ci"; npm ci && touch node_modules/.keel-stamp; \
	else \
	    touch node_modules/.keel-stamp; \
	fi

clean:
	rm -rf build
