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

/* COM1's line status register and its "transmitter empty" bit (holding and shift register). */
#define COM1_LINE_STATUS 0x3fd
#define LSR_TRANSMITTER_EMPTY 0x40

_Noreturn void keel_qemuExit(uint32_t code) {
    /* The last bytes written may still be in the UART: QEMU holds a byte there while the
     * host end of the serial port is not ready (a busy test runner's pipe), and exiting
     * would drop it, cutting the last line (a panic's). Wait until the UART is empty; the
     * bound keeps a missing or wedged UART from stopping the exit (no UART reads 0xff). */
    for (uint32_t spins = 0; spins < 100000000u; spins++) {
        if (keel_inb(COM1_LINE_STATUS) & LSR_TRANSMITTER_EMPTY) break;
    }
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
