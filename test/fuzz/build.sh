#!/usr/bin/env bash
# Builds one libFuzzer target from the kernel's own TypeScript (make fuzz, make test):
#   test/fuzz/build.sh NAME      test/fuzz/NAME_target.ts -> build/fuzz/NAME_fuzz
# keelc emits C (build/fuzz/NAME/gen); clang links it with the hosted runtime in fuzzing mode
# (boot/runtime/hosted/keel_hosted.c -DKEEL_FUZZ) and test/fuzz/driver.c, under libFuzzer,
# ASan and UBSan, with clang's warnings as errors (as gcc's for the kernel).
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
clang -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DKEEL_FUZZ -D"$DEFINE" -I"$GEN" -Iboot/runtime -Iboot/runtime/hosted \
    "$GEN"/*.c boot/runtime/hosted/keel_hosted.c test/fuzz/driver.c -o "build/fuzz/${NAME}_fuzz" ||
    die "clang failed on $ENTRY"
