#!/usr/bin/env bash
# Debugs a Keel image: QEMU halted at the reset vector with its GDB stub, and GDB
# attached with the kernel's symbols. QEMU is stopped when GDB exits.
#
#   qemu/gdb/run-gdb.sh ELF ISO [extra qemu args...]
#
# KEEL_GDB_PORT (default 1234) is the stub's TCP port. COM1 goes to build/gdb-serial.log
# (watch it with `tail -f build/gdb-serial.log`), so it does not mix with GDB's prompt.
# QEMU runs in its own session: Ctrl-C in GDB interrupts the kernel, not QEMU.
set -euo pipefail

die() { echo "run-gdb.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: qemu/gdb/run-gdb.sh ELF ISO [extra qemu args...]"
ELF=$1
ISO=$2
shift 2
[ -f "$ELF" ] || die "'$ELF' not found (build it with 'make')"
[ -f "$ISO" ] || die "'$ISO' not found (build it with 'make')"
command -v qemu-system-x86_64 >/dev/null 2>&1 || die "missing qemu-system-x86_64; run 'make deps'"
command -v gdb >/dev/null 2>&1 || die "missing gdb; run 'make deps'"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export KEEL_GDB_PORT=${KEEL_GDB_PORT:-1234}
LOG=build/gdb-serial.log
mkdir -p build

setsid qemu-system-x86_64 -cdrom "$ISO" -serial "file:$LOG" -display none -no-reboot -m 128M \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -S -gdb "tcp::$KEEL_GDB_PORT" "$@" </dev/null &
QEMU_PID=$!
trap 'kill "$QEMU_PID" 2>/dev/null || true; wait "$QEMU_PID" 2>/dev/null || true' EXIT

echo "run-gdb.sh: QEMU (pid $QEMU_PID) halted, GDB stub on :$KEEL_GDB_PORT, serial in $LOG" >&2
gdb -q "$ELF" -x qemu/gdb/keel.gdb
