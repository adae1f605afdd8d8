/* The reference for make bench's boot-time ratio: a minimal C multiboot2 kernel, booted the
 * same way as Keel (GRUB from an ISO built by qemu/build-reference.sh, the same grub.cfg).
 * It prints one line on COM1 and halts; the bench times QEMU's start to that line. 32-bit,
 * as GRUB leaves the CPU: no paging, no long mode, nothing else. */
#include <stdint.h>

#define MB2_MAGIC 0xE85250D6u
#define MB2_ARCH_I386 0u
#define COM1 0x3F8

/* The multiboot2 header: magic, architecture, length, checksum, then the end tag. */
struct mb2_header {
    uint32_t magic, arch, length, checksum;
    uint16_t end_type, end_flags;
    uint32_t end_size;
} __attribute__((packed, aligned(8)));

__attribute__((section(".multiboot2"), used)) static const struct mb2_header header = {
    MB2_MAGIC, MB2_ARCH_I386, sizeof(struct mb2_header),
    -(MB2_MAGIC + MB2_ARCH_I386 + (uint32_t)sizeof(struct mb2_header)), 0, 0, 8,
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void serial_init(void) {
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xC7); /* FIFO */
}

static void serial_write(const char *s) {
    for (; *s; s++) {
        while ((inb(COM1 + 5) & 0x20) == 0) {}
        outb(COM1, (uint8_t)*s);
    }
}

__attribute__((used)) static uint8_t stack[4096] __attribute__((aligned(16)));

void reference_main(void) {
    serial_init();
    serial_write("reference kernel ready\n");
    for (;;) __asm__ volatile("cli; hlt");
}

/* GRUB jumps here in 32-bit protected mode with EAX = the multiboot2 magic. */
__asm__(".globl _start\n_start:\n  movl $stack + 4096, %esp\n  call reference_main\n1: hlt\n  jmp 1b\n");
