#!/usr/bin/env bash
# Captures the multiboot2 information GRUB hands over in each QEMU configuration into
# test/boot/fixtures/NAME.txt (raw hex dump + the boot report the kernel printed).
# Not run by make test; rerun by hand when GRUB, QEMU or the report format changes:
#   bash test/boot/capture.sh            (builds build/capture/keel.iso first)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || bash qemu/build-image.sh capture test/boot/capture_main.ts
ISO=build/capture/keel.iso
OUT=test/boot/fixtures
mkdir -p "$OUT"

capture() {
  local name=$1; shift
  local raw; raw=$(mktemp)
  local status=0
  timeout 120 qemu-system-x86_64 -cdrom "$ISO" -serial stdio -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" </dev/null >"$raw" 2>&1 || status=$?
  if [ "$status" != 33 ]; then echo "capture $name: QEMU status $status" >&2; cat "$raw" >&2; rm -f "$raw"; return 1; fi
  { echo "# qemu-system-x86_64 $*"; tr -d '\r' <"$raw" | sed -n '/^boot information dump:/,/^end of report$/p'; } >"$OUT/$name.txt"
  rm -f "$raw"
  echo "captured $OUT/$name.txt"
}

capture bios_pc_128m -m 128M
capture bios_q35_128m -machine q35 -m 128M
capture bios_pc_1g -m 1G
capture bios_q35_4g -machine q35 -m 4G
capture bios_pc_5g -m 5G
capture uefi_ovmf_128m -bios /usr/share/ovmf/OVMF.fd -m 128M
