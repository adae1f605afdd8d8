/* Freestanding implementation of the machine intrinsics (keel_runtime.h) for the
 * kernel image: port I/O and raw memory access with inline asm and volatile pointers,
 * QEMU exit and halting. */
#include "keel_runtime.h"

void keel_outb(uint16_t port, uint8_t value) {
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

uint8_t keel_inb(uint16_t port) {
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

void keel_outw(uint16_t port, uint16_t value) {
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

uint16_t keel_inw(uint16_t port) {
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

void keel_outl(uint16_t port, uint32_t value) {
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

uint32_t keel_inl(uint16_t port) {
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

/* isa-debug-exit (qemu/run.sh: iobase 0xf4, iosize 4). */
#define QEMU_DEBUG_EXIT_PORT 0xf4

_Noreturn void keel_qemuExit(uint32_t code) {
    keel_outl(QEMU_DEBUG_EXIT_PORT, code);
    /* Under TCG the exit can take effect a few instructions late: never fall through. */
    keel_haltForever();
}

_Noreturn void keel_haltForever(void) {
    for (;;) {
        __asm__ volatile("cli; hlt" : : : "memory");
    }
}

/* keel_load8 .. keel_store64 are macros in keel_runtime.h (inlined at every use). */
