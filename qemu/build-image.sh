#!/usr/bin/env bash
# Builds one bootable kernel image: TypeScript -> C (keelc) -> gcc -> ld -> GRUB ISO.
#
#   qemu/build-image.sh NAME ENTRY.ts
#
# writes build/NAME/gen/ (keelc's C), build/NAME/obj/, build/NAME/keel.elf,
# build/NAME/keel.iso (BIOS + UEFI) and build/NAME/ktap-manifest.json (the entry's
# top-level KTAP tests, qemu/ktap_manifest.ts). Quiet on success; on failure says which step
# failed (the messages of every step are in build/NAME/logs/).
# The kernel is linked twice (as Linux's kallsyms): the first link's DWARF line table and
# function symbols become C tables (qemu/line-table.mjs -> build/NAME/obj/symbols/), linked
# into the final image so the kernel can print `kernel/x.ts:LINE` for a fault address.
# Environment:
#   KEELC          compiler command (default: node compiler/bin/keelc.mjs, run with --deps
#                  build/NAME/keel.iso.d); another is run as $KEELC --out build/NAME/gen
#                  ENTRY.ts and must write *.c (each including "keel_runtime.h", together
#                  defining keel_start) and *.h there
#   KEEL_OPT       optimisation flag for the kernel C (default: -O3: gcc's -O2 inlines only
#                  functions of up to 15 insns unless asked, which left the mapper's walk and
#                  the allocators' fast paths as calls; -O3 halves the per-operation
#                  instruction counts of make bench for 21% more .text; see README)
#   KEEL_CFLAGS    extra gcc flags, appended
#   KEEL_UNITY     1 (default): keelc's modules compile as one translation unit (a unity
#                  build), so gcc inlines small functions across modules; 0: one object
#                  per module, and a rebuild recompiles only the modules whose C changed
#                  (the run image: the edit loop). Either way #line directives keep every
#                  frame on its .ts line.
#   KEEL_BUILD_TIMES=1  print the time of each step (always written to build/NAME/logs/times)
# Incremental: gen/ and obj/ are kept between builds. keelc rewrites only the C files whose
# content changed and removes the others; an object is reused only when the content of its
# source, of every header it can include and the compiler flags are exactly those it was
# built from (a key stored beside it, obj.key), so a reused object is the one a clean
# build would compile.
#   KEEL_GRUB_MODULES  number of small boot modules GRUB loads with the kernel (default 0)
#   KEEL_ARENA_BYTES   size of keelc's object arena in .bss (default 1 MiB). It serves `new`
#                  only until the heap is up: about 16 KiB at a 128 MiB boot, a few hundred
#                  KiB for a 1,000-entry memory map. keelc's default, 4 MiB, was 95% of
#                  .bss, which GRUB and the boot stub both zero at every boot.
set -euo pipefail

die() { echo "build-image.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: qemu/build-image.sh NAME ENTRY.ts"
NAME=$1
ENTRY=$2
case "$NAME" in */* | "" | . | ..) die "NAME must be a plain directory name, got '$NAME'" ;; esac

# Run from the repository root: DWARF records the compilation directory, so GDB finds
# kernel/... .ts files through the relative paths in the emitted #line directives.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ -f "$ENTRY" ] || die "entry file '$ENTRY' not found"

need() { # tool, package
    command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (Debian package $2); run 'make deps'"
}
need gcc gcc
need ld binutils
need objcopy binutils
need grub-mkrescue grub-common
need grub-file grub-common
need xorriso xorriso
need mformat mtools
[ -d /usr/lib/grub/i386-pc ] || die "missing /usr/lib/grub/i386-pc (Debian package grub-pc-bin): the ISO would not boot under BIOS; run 'make deps'"
[ -d /usr/lib/grub/x86_64-efi ] || die "missing /usr/lib/grub/x86_64-efi (Debian package grub-efi-amd64-bin): the ISO would not boot under UEFI; run 'make deps'"

need node nodejs
# keelc's --deps writes the make rule build/NAME/keel.iso.d (the image depends on the
# program's .ts files only); another compiler leaves none, and make then rebuilds the image
# on any change under kernel/.
DEPS_ARGS=()
if [ -z "${KEELC:-}" ]; then
    [ -f compiler/bin/keelc.mjs ] || die "compiler not found: compiler/bin/keelc.mjs does not exist"
    KEELC="node compiler/bin/keelc.mjs"
    DEPS_ARGS=(--deps "build/$NAME/keel.iso.d")
fi

OUT=build/$NAME
GEN=$OUT/gen
OBJ=$OUT/obj
mkdir -p "$OUT"
# One build of an image at a time (several sessions may share this tree).
exec 9>"$OUT/.lock"
flock 9
rm -rf "$OUT/iso" "$OUT/logs" "$OUT"/*.log
mkdir -p "$GEN" "$OBJ/gen" "$OBJ/runtime" "$OBJ/boot" "$OUT/iso/boot/grub" "$OUT/logs"

# Step times (KEEL_BUILD_TIMES=1 prints them; logs/times keeps them).
STEP_START=$EPOCHREALTIME
BUILD_START=$STEP_START
step_done() { # name
    local now=$EPOCHREALTIME
    local line
    line=$(awk -v a="$STEP_START" -v b="$now" -v t="$BUILD_START" -v n="$1" 'BEGIN { printf "%-22s %6.2f s  (at %6.2f s)", n, b - a, b - t }')
    echo "$line" >>"$OUT/logs/times"
    [ "${KEEL_BUILD_TIMES:-0}" = 0 ] || echo "build-image.sh $NAME: $line" >&2
    STEP_START=$now
}

# C and assembly flags (kernel code: freestanding, no red zone, no SSE, kernel code model).
CFLAGS=(-std=gnu11 "${KEEL_OPT:--O3}" -g -gdwarf-4 -Wall -Wextra -Werror
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mno-mmx -mno-sse -mno-sse2
    -fno-pic -mcmodel=kernel -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
    -fno-asynchronous-unwind-tables -DKEEL_FREESTANDING -I boot/runtime -I "$GEN"
    # A unity build is one unit, and gcc caps all inlining in a unit at 40% growth: near the
    # cap, any new code anywhere turned the allocators' release and magazine calls back into
    # calls (frame alloc+release 48 -> 84 instructions after 1 KiB of debug code). 60% keeps
    # the fast paths inlined with room to spare, for about 9% more .text.
    --param inline-unit-growth=60
    # Each function and object in a section of its own, so the link keeps only what is
    # reached from the entry points (--gc-sections below, as Linux's
    # LD_DEAD_CODE_DATA_ELIMINATION): a module's functions that every caller inlined stayed
    # behind as out-of-line copies, 24% of the image GRUB reads at every boot.
    -ffunction-sections -fdata-sections
    "-DKEEL_ARENA_SIZE=${KEEL_ARENA_BYTES:-0x100000}u")
# shellcheck disable=SC2206 # extra flags are a word list
CFLAGS+=(${KEEL_CFLAGS:-})
ASFLAGS=(-g -gdwarf-4 -Wa,--noexecstack -I boot)
RUNTIME_C=(boot/runtime/keel_runtime.c boot/runtime/string.c boot/runtime/keel_arch.c boot/runtime/keel_symbols.c)
BOOT_S=(boot/multiboot2_header.S boot/entry32.S boot/boot_fail32.S boot/entry64.S boot/exceptions.S boot/guarded_call.S boot/ap_trampoline.S)

# Steps that do not need keelc's output run beside it (the edit loop: a one-line change
# waits for keelc and one gcc, not for everything in a row). Each background job writes
# its messages to a log, shown when it fails.
JOBS=()
background() { # name, command...
    local name=$1
    shift
    ("$@") >"$OUT/logs/$name.log" 2>&1 &
    JOBS+=("$!:$name")
}
wait_all() {
    local job failed=""
    for job in "${JOBS[@]}"; do
        wait "${job%%:*}" || { cat "$OUT/logs/${job#*:}.log" >&2; failed+=" ${job#*:}"; }
    done
    JOBS=()
    [ -z "$failed" ] || die "failed:$failed (messages above)"
}

# Content hashes (sha256) of files, by path: one sha256sum run for many files.
declare -A HASH
hash_files() { # files...
    local h f
    while read -r h f; do HASH[$f]=$h; done < <(sha256sum -- "$@")
}
# What every object also depends on: the compiler and the headers it may include.
GCC_ID=$({ gcc -dumpfullversion -dumpmachine; as --version | head -1; } | tr '\n' ' ')
shopt -s nullglob
STATIC_HEADERS=(boot/*.h boot/runtime/*.h)
shopt -u nullglob
hash_files "${STATIC_HEADERS[@]}"
STATIC_HEADERS_KEY=$(for h in "${STATIC_HEADERS[@]}"; do echo "$h ${HASH[$h]}"; done)

OBJS=()
REUSED=0
compile() { # source, extra key (hashes of generated inputs), object, flags... (in the background)
    local src=$1 extra=$2 obj=$3
    shift 3
    OBJS+=("$obj")
    [ -n "${HASH[$src]:-}" ] || hash_files "$src"
    local key stored=""
    # (no command substitutions here: this runs once per object, forks cost)
    printf -v key '%s\n' "gcc $GCC_ID" "flags $*" "source $src ${HASH[$src]}" "$STATIC_HEADERS_KEY" "$extra"
    [ -f "$obj" ] && [ -f "$obj.key" ] && { IFS= read -r -d '' stored <"$obj.key" || true; }
    if [ "$stored" = "$key" ]; then
        REUSED=$((REUSED + 1))
        return
    fi
    rm -f "$obj" "$obj.key"
    throttle
    background "cc-${obj##*/}" compile_now "$key" "$src" "$obj" "$@"
}
# At most this many compilers at once (a full per-module build has ~60 objects).
MAX_JOBS=${KEEL_JOBS:-$(($(nproc) + 1))}
throttle() {
    # (bash keeps each reaped job's status for the wait in wait_all)
    while [ "$(jobs -rp | wc -l)" -ge "$MAX_JOBS" ]; do wait -n || true; done
}
compile_now() { # key, source, object, flags...
    local key=$1 src=$2 obj=$3
    shift 3
    gcc "$@" -c "$src" -o "$obj.tmp" && mv "$obj.tmp" "$obj" && printf '%s' "$key" >"$obj.key"
}

# 0. The KTAP manifest: the top-level tests the host must see (test/harness/boot.ts)
# (It depends on the entry file's text only: reused while that and the reader are unchanged.)
hash_files "$ENTRY" qemu/ktap_manifest.ts qemu/ktap-manifest.mjs
printf -v MANIFEST_KEY '%s\n' "$ENTRY ${HASH[$ENTRY]}" "${HASH[qemu/ktap_manifest.ts]} ${HASH[qemu/ktap-manifest.mjs]}"
manifest() {
    rm -f "$OUT/ktap-manifest.json.key"
    node qemu/ktap-manifest.mjs "$ENTRY" "$OUT/ktap-manifest.json" && printf '%s' "$MANIFEST_KEY" >"$OUT/ktap-manifest.json.key"
}
stored=""
[ -f "$OUT/ktap-manifest.json" ] && [ -f "$OUT/ktap-manifest.json.key" ] && { IFS= read -r -d '' stored <"$OUT/ktap-manifest.json.key" || true; }
[ "$stored" = "$MANIFEST_KEY" ] || background manifest manifest
# The boot stub and the runtime: C and assembly that keelc does not write.
hash_files "${BOOT_S[@]}" "${RUNTIME_C[@]}"
for s in "${BOOT_S[@]}"; do compile "$s" "" "$OBJ/boot/$(basename "${s%.S}").o" "${ASFLAGS[@]}"; done
for c in "${RUNTIME_C[@]}"; do compile "$c" "" "$OBJ/runtime/$(basename "${c%.c}").o" "${CFLAGS[@]}"; done

# The first link's empty line table (step 3).
SYMS=$OBJ/symbols
mkdir -p "$SYMS"
# Reused while the table generator and the flags are unchanged (the same key as an object).
hash_files qemu/line_table.ts qemu/line-table.mjs
printf -v PLACEHOLDER_KEY '%s\n' "gcc $GCC_ID" "flags ${CFLAGS[*]}" "generator ${HASH[qemu/line_table.ts]} ${HASH[qemu/line-table.mjs]}" "$STATIC_HEADERS_KEY"
placeholder() {
    rm -f "$SYMS/placeholder.o" "$SYMS/placeholder.o.key"
    node qemu/line-table.mjs empty "$SYMS/placeholder.c" && gcc "${CFLAGS[@]}" -c "$SYMS/placeholder.c" -o "$SYMS/placeholder.o" &&
        printf '%s' "$PLACEHOLDER_KEY" >"$SYMS/placeholder.o.key"
}
stored=""
[ -f "$SYMS/placeholder.o" ] && [ -f "$SYMS/placeholder.o.key" ] && { IFS= read -r -d '' stored <"$SYMS/placeholder.o.key" || true; }
if [ "$stored" != "$PLACEHOLDER_KEY" ]; then
    background placeholder-table placeholder
fi
step_done "start, runtime queued"

# 1. TypeScript -> C
# shellcheck disable=SC2086 # KEELC is a command line, split on purpose
rm -f "$OUT/keel.iso.d"
# keelc leaves exactly its output in $GEN (unchanged files untouched); another compiler
# gets an empty directory.
[ ${#DEPS_ARGS[@]} -gt 0 ] || { rm -rf "$GEN"; mkdir -p "$GEN"; }
$KEELC --out "$GEN" "${DEPS_ARGS[@]}" "$ENTRY" || { wait_all; die "keelc failed on $ENTRY (command: $KEELC --out $GEN ${DEPS_ARGS[*]} $ENTRY)"; }
shopt -s nullglob
GEN_C=("$GEN"/*.c)
shopt -u nullglob
[ ${#GEN_C[@]} -gt 0 ] || die "keelc wrote no .c files into $GEN"
step_done keelc

# 2. keelc's C -> objects. A module's object depends on its C and every generated header;
# the unity object on all of keelc's output.
shopt -s nullglob
GEN_H=("$GEN"/*.h)
shopt -u nullglob
hash_files "${GEN_C[@]}" "${GEN_H[@]}"
GEN_H_KEY=$(for h in "${GEN_H[@]}"; do echo "${h##*/} ${HASH[$h]}"; done)
if [ "${KEEL_UNITY:-1}" = 1 ]; then
    UNITY=$OBJ/gen/keel_unity.c
    { echo "/* Unity build: every module keelc emitted, one translation unit (qemu/build-image.sh). */"
      for c in "${GEN_C[@]}"; do echo "#include \"${c##*/}\""; done; } >"$UNITY.new"
    cmp -s "$UNITY.new" "$UNITY" && rm "$UNITY.new" || mv "$UNITY.new" "$UNITY"
    GEN_C_KEY=$(for c in "${GEN_C[@]}"; do echo "${c##*/} ${HASH[$c]}"; done)
    compile "$UNITY" "$GEN_H_KEY"$'\n'"$GEN_C_KEY" "$OBJ/gen/keel_unity.o" "${CFLAGS[@]}"
else
    for c in "${GEN_C[@]}"; do
        base=${c##*/}
        compile "$c" "$GEN_H_KEY" "$OBJ/gen/${base%.c}.o" "${CFLAGS[@]}"
    done
fi
# Objects of modules the program no longer has are not linked; remove them.
for o in "$OBJ"/gen/*.o; do
    [[ " ${OBJS[*]} " == *" $o "* ]] || rm -f "$o" "$o.key"
done
wait_all
step_done "gcc ($((${#OBJS[@]} - REUSED)) of ${#OBJS[@]} objects)"

# 3. link twice. The tables are data linked after every other object, in .rodata, which
# follows .text: the second link's code sits exactly where the first link's was, and the
# check below proves it (tables regenerated from the final image must be identical).
link() { # output, table object
    ld -n -T linker.ld --gc-sections -z max-page-size=0x1000 --fatal-warnings --no-warn-rwx-segments \
        -o "$1" "${OBJS[@]}" "$2" || die "linking $1 failed"
}
link "$OUT/keel.elf.pass1" "$SYMS/placeholder.o"
step_done "link 1"
node qemu/line-table.mjs generate "$OUT/keel.elf.pass1" "$SYMS/tables.c" ||
    die "building the line table from $OUT/keel.elf.pass1 failed"
gcc "${CFLAGS[@]}" -c "$SYMS/tables.c" -o "$SYMS/tables.o" || die "compiling $SYMS/tables.c failed"
step_done "line table"
link "$OUT/keel.elf.tmp" "$SYMS/tables.o"
# The check runs beside the ISO's creation; nothing is moved into place before it passed.
table_check() {
    node qemu/line-table.mjs check "$OUT/keel.elf.tmp" "$SYMS/tables.c" || { echo "the line table does not describe $OUT/keel.elf"; return 1; }
}
background table-check table_check
rm -f "$OUT/keel.elf.pass1"
grub-file --is-x86-multiboot2 "$OUT/keel.elf.tmp" ||
    die "$OUT/keel.elf has no valid multiboot2 header in its first 32 KiB"
step_done "link 2"

# 4. ISO (BIOS and UEFI GRUB). GRUB reads the kernel from the emulated CD one 16-bit word
# per port access, about 0.09 ms per KiB under QEMU's TCG: reading 1 MiB of DWARF was a third
# of the boot time, and the 92 KiB of .symtab/.strtab left after that cost another 8 ms.
# So the ISO's ELF has no symbols (the kernel's own line and function tables are in
# .rodata; make gdb reads the full build/NAME/keel.elf). Compressing it (GRUB's lzopio)
# saved as much reading as loading the module and decompressing cost: not done.
objcopy --strip-all "$OUT/keel.elf.tmp" "$OUT/iso/boot/keel.elf" || die "stripping $OUT/keel.elf failed"
cp boot/grub.cfg "$OUT/iso/boot/grub/grub.cfg"
# KEEL_GRUB_MODULES=N: N small boot modules (m0 .. m<N-1>, 1000 + 37 i bytes each) that GRUB
# loads with the kernel, each named "moduleI" on its command line (the test image: 64).
if [ "${KEEL_GRUB_MODULES:-0}" -gt 0 ]; then
    mkdir -p "$OUT/iso/boot/modules"
    lines=""
    for ((i = 0; i < KEEL_GRUB_MODULES; i++)); do
        head -c $((1000 + 37 * i)) /dev/zero | tr '\0' 'k' >"$OUT/iso/boot/modules/m$i"
        lines+="    module2 /boot/modules/m$i module$i"$'\n'
    done
    awk -v lines="$lines" '{ print } /^ *multiboot2 / { printf "%s", lines }' boot/grub.cfg >"$OUT/iso/boot/grub/grub.cfg"
fi
# grub-mkrescue's output, with GRUB's own part prepared once (qemu/grub-iso.sh).
if ! qemu/grub-iso.sh "$OUT/keel.iso.tmp" "$OUT/iso" >"$OUT/logs/grub-mkrescue.log" 2>&1; then
    cat "$OUT/logs/grub-mkrescue.log" >&2
    die "making the ISO failed (log above, also in $OUT/logs/grub-mkrescue.log)"
fi
step_done "ISO"
wait_all
step_done "table check (beside)"
mv "$OUT/keel.elf.tmp" "$OUT/keel.elf"
mv "$OUT/keel.iso.tmp" "$OUT/keel.iso"
