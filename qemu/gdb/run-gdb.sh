#!/usr/bin/env bash
# Debugs a Keel image: QEMU halted at the reset vector with its GDB stub, and GDB
# attached with the kernel's symbols. QEMU is stopped when GDB exits.
#
#   qemu/gdb/run-gdb.sh ELF ISO [extra qemu args...]
#
# KEEL_GDB_PORT is the stub's TCP port (default auto: a free one; QEMU failing to bind it
# stops here, loudly, before GDB could attach to whatever holds it). COM1 goes to build/gdb-serial.log
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
# auto (the default): a port that is free now, chosen by the OS.
KEEL_GDB_PORT=${KEEL_GDB_PORT:-auto}
if [ "$KEEL_GDB_PORT" = auto ]; then
    KEEL_GDB_PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
fi
export KEEL_GDB_PORT
LOG=build/gdb-serial.log
QEMU_ERR=build/gdb-qemu.err
mkdir -p build

setsid qemu-system-x86_64 -cdrom "$ISO" -serial "file:$LOG" -display none -no-reboot -m 128M \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -S -gdb "tcp:127.0.0.1:$KEEL_GDB_PORT" "$@" </dev/null 2>"$QEMU_ERR" &
QEMU_PID=$!
trap 'kill "$QEMU_PID" 2>/dev/null || true; wait "$QEMU_PID" 2>/dev/null || true' EXIT

# QEMU exits at once when it cannot bind the port: never let GDB attach to whatever holds it.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$QEMU_PID" 2>/dev/null || { cat "$QEMU_ERR" >&2; die "QEMU exited before GDB could attach (port $KEEL_GDB_PORT taken? set GDB_PORT=auto or another port)"; }
    sleep 0.1
done

echo "run-gdb.sh: QEMU (pid $QEMU_PID) halted, GDB stub on :$KEEL_GDB_PORT, serial in $LOG" >&2
gdb -q "$ELF" -x qemu/gdb/keel.gdb
