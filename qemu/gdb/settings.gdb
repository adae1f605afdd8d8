# GDB settings for Keel without connecting (keel.gdb sources this; tests use it alone).
set architecture i386:x86-64
set pagination off
set confirm off
set print pretty on
set print symbol on
set disassembly-flavor att
source qemu/gdb/keel_printers.py
source qemu/gdb/keel_commands.py
# `step` stays in TypeScript: the runtime's C and keelc's support file are stepped over.
skip -gfi boot/runtime/*.c
skip -gfi */keel_support.c
