#!/usr/bin/env bash
# Builds the reference kernel for make bench's boot-time ratio: test/reference/reference_kernel.c
# (a minimal C multiboot2 kernel) -> build/reference/keel.elf -> build/reference/keel.iso, with
# the same grub.cfg and grub-mkrescue as Keel's images, so both boot the same way.
set -euo pipefail
die() { echo "build-reference.sh: $*" >&2; exit 1; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=build/reference
rm -rf "$OUT" && mkdir -p "$OUT/iso/boot/grub"
gcc -m32 -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-stack-protector \
    -fno-asynchronous-unwind-tables -c test/reference/reference_kernel.c -o "$OUT/reference_kernel.o" || die "compiling failed"
ld -m elf_i386 -n -T test/reference/linker.ld --no-warn-rwx-segments -o "$OUT/keel.elf" "$OUT/reference_kernel.o" || die "linking failed"
grub-file --is-x86-multiboot2 "$OUT/keel.elf" || die "$OUT/keel.elf has no valid multiboot2 header"
cp "$OUT/keel.elf" "$OUT/iso/boot/keel.elf"
cp boot/grub.cfg "$OUT/iso/boot/grub/grub.cfg"
grub-mkrescue -o "$OUT/keel.iso" "$OUT/iso" >"$OUT/grub-mkrescue.log" 2>&1 || { cat "$OUT/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
