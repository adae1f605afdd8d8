#!/usr/bin/env bash
# Boots a Keel ISO in QEMU, headless, with COM1 on this terminal.
#
#   qemu/run.sh ISO [extra qemu args...]      e.g. qemu/run.sh build/keel.iso -machine q35
#
# Serial: on a terminal, COM1 and the QEMU monitor share stdio through a mux chardev
# with signal=on, so Ctrl-C stops QEMU (plain `-serial mon:stdio` would turn signals
# off and pass Ctrl-C to the guest) and Ctrl-A X quits, Ctrl-A C toggles the monitor
# (`info registers`, `info mem`, `info tlb`), Ctrl-A H lists the keys. Without a
# terminal (tests, pipes) it is plain `-serial stdio`.
#
# The kernel ends the run through isa-debug-exit (port 0xf4): QEMU's status is then
# (value << 1) | 1, so 33 = pass (value 0x10). With -no-reboot a triple fault or reset
# exits 0: never a pass. The meaning is printed to stderr; the script exits with
# QEMU's own status.
set -uo pipefail

die() { echo "run.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: qemu/run.sh ISO [extra qemu args...]"
ISO=$1
shift
[ -f "$ISO" ] || die "ISO '$ISO' not found (build it with 'make')"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
    die "missing qemu-system-x86_64 (Debian package qemu-system-x86); run 'make deps'"

if [ -t 0 ] && [ -t 1 ]; then
    SERIAL=(-chardev stdio,id=console,mux=on,signal=on -serial chardev:console
        -mon chardev=console,mode=readline)
else
    SERIAL=(-serial stdio)
fi

# Explain QEMU's exit status (argument) on stderr.
explain() {
    local s=$1
    case $s in
        33) echo "keel: QEMU exited: success (33)" ;;
        0) echo "keel: QEMU exited: triple fault or reset (0), or QEMU was quit (Ctrl-A X)" \
            "- to see why: QEMU_EXTRA='-d int,cpu_reset -D qemu.log'" ;;
        1) echo "keel: QEMU exited: QEMU error, or the kernel wrote 0 to isa-debug-exit (1)" ;;
        *)
            if [ "$s" -gt 128 ] && [ "$s" -lt 160 ]; then
                echo "keel: QEMU exited: killed by signal $((s - 128)) ($s)"
            elif [ $((s % 2)) -eq 1 ]; then
                printf 'keel: QEMU exited: kernel failure, qemuExit(0x%x) (%d)\n' $(((s - 1) / 2)) "$s"
            else
                echo "keel: QEMU exited: unexpected status ($s)"
            fi
            ;;
    esac >&2
}

# Ctrl-C reaches QEMU (same process group) and stops it; bash runs the trap after
# QEMU has exited, so the status below is QEMU's.
interrupted=0
trap 'interrupted=1' INT
qemu-system-x86_64 -cdrom "$ISO" "${SERIAL[@]}" -display none -no-reboot -m 128M \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@"
status=$?
if [ "$interrupted" -eq 1 ]; then
    echo "keel: QEMU stopped by Ctrl-C (status $status)" >&2
    exit 130
fi
explain "$status"
# 33 is the kernel's clean shutdown (q on the console): success for make, too.
[ "$status" -eq 33 ] && exit 0
exit "$status"
