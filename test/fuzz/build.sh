#!/usr/bin/env bash
# Builds one libFuzzer target from the kernel's own TypeScript (make fuzz, make test):
#   test/fuzz/build.sh NAME      test/fuzz/NAME_target.ts -> build/fuzz/NAME_fuzz
# keelc emits C (build/fuzz/NAME/gen); clang links it with the hosted runtime in fuzzing mode
# (boot/runtime/hosted/keel_hosted.c -DKEEL_FUZZ) and test/fuzz/driver.c, under libFuzzer,
# ASan and UBSan, with clang's warnings as errors (as gcc's for the kernel); only the code under
# test carries the fuzzer's coverage instrumentation (see UNCOVERED below).
set -euo pipefail
die() { echo "test/fuzz/build.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: test/fuzz/build.sh NAME"
NAME=$1
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ENTRY=test/fuzz/${NAME}_target.ts
[ -f "$ENTRY" ] || die "no target $ENTRY"
command -v clang >/dev/null || die "missing clang (Debian packages clang libclang-rt-dev); run 'make deps'"
GEN=build/fuzz/$NAME/gen
rm -rf "$GEN" && mkdir -p "$GEN"
KEELC=${KEELC:-node compiler/bin/keelc.mjs}
# shellcheck disable=SC2086 # KEELC is a command line
$KEELC --out "$GEN" "$ENTRY" || die "keelc failed on $ENTRY"
DEFINE=KEEL_FUZZ_$(echo "$NAME" | tr '[:lower:]' '[:upper:]')
ROOT=$PWD
CFLAGS=(-std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -fno-sanitize-recover=undefined
    -DKEEL_FUZZ -D"$DEFINE" -I"$ROOT/$GEN" -I"$ROOT/boot/runtime" -I"$ROOT/boot/runtime/hosted")
# Coverage guides the fuzzer through the code under test only. The judge (the targets, their
# oracles and the reference model: test_fuzz_*, tests_*), the printing of messages (each
# digit and length of a panic message would count as new coverage) and the hosted runtime
# are built with the sanitizers but without coverage: their comparisons cost most of the
# time and would grow the corpus with inputs that differ only in what they print.
UNCOVERED=()
COVERED=()
for c in "$ROOT/$GEN"/*.c; do
  case $(basename "$c") in
    test_fuzz_*|tests_*|keel_support.c|lib_console.c|arch_x86_64_serial.c) UNCOVERED+=("$c") ;;
    *) COVERED+=("$c") ;;
  esac
done
# Comparison tracing (libFuzzer's trace-cmp: operands of every comparison fed back to the
# mutator) finds the magic numbers of the boot information (tag types, sizes, versions); the
# allocator target's input is only choices among a few operations, where tracing found no
# more coverage and made each execution 2.7 times slower (measured: 1,017 against 2,699
# executions per second, 361 against 385 edges in 30 s from the seeds).
COVERAGE="-fsanitize=fuzzer-no-link"
[ "$NAME" = alloc ] && COVERAGE="$COVERAGE -fno-sanitize-coverage=trace-cmp"
OBJ=build/fuzz/$NAME/obj
rm -rf "$OBJ" && mkdir -p "$OBJ"
compile() { # compile FLAGS FILE...: one object per file, into $OBJ (FLAGS: sanitizers and coverage)
  local flags=$1
  shift
  # shellcheck disable=SC2086 # FLAGS is a list of options
  (cd "$OBJ" && clang "${CFLAGS[@]}" $flags -c "$@")
}
compile "$COVERAGE -fsanitize=address,undefined" "${COVERED[@]}" || die "clang failed on $ENTRY"
compile "-fsanitize=address,undefined" "${UNCOVERED[@]}" "$ROOT/boot/runtime/hosted/keel_hosted.c" "$ROOT/test/fuzz/driver.c" || die "clang failed on $ENTRY"
clang -fsanitize=fuzzer,address,undefined "$OBJ"/*.o -o "build/fuzz/${NAME}_fuzz" || die "clang failed to link $ENTRY"
