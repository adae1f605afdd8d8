# GDB setup for the Keel kernel. `make gdb` runs
#   gdb build/keel.elf -x qemu/gdb/keel.gdb
# against QEMU started halted (-S) with its GDB stub on port $KEEL_GDB_PORT (default 1234).
#
# Breakpoints by TypeScript line work directly: `break kernel/main.ts:42` (or `break
# main.ts:42`): keelc's C carries #line directives, so the DWARF line table speaks .ts.
# Sources resolve relative to the build's working directory (the repository root).
# Under TCG, QEMU implements software breakpoints by virtual address without writing
# guest memory, so `break` works even when set while the CPU is still in real mode;
# `hbreak` (4 debug registers) is the fallback under KVM before paging is on.

source qemu/gdb/settings.gdb

python
import os, time
port = os.environ.get("KEEL_GDB_PORT", "1234")
# QEMU may still be starting: retry the connection for a few seconds.
for attempt in range(50):
    try:
        gdb.execute("target remote :" + port)
        break
    except gdb.error as e:
        if attempt == 49:
            raise
        time.sleep(0.1)
end

echo Keel: connected; QEMU is halted at the reset vector. Try: break kernel/main.ts:LINE, continue\n
