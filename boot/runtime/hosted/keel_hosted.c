/* Hosted implementation of keel_runtime.h: the kernel's C runs as an ordinary Linux
 * process (keelc run-hosted, the differential tests). It mirrors the Node machine of
 * `keelc run-node` (compiler/src/hosted.ts) byte for byte:
 *
 *   - COM1 (16550 at 0x3f8): a byte written to the data port while the line control
 *     register's DLAB bit is clear goes to stdout; the line status port 0x3fd always
 *     reads 0x20 (transmitter empty). Every other port is a plain latch: a read returns
 *     the last value written there (0 if none), truncated to the access width.
 *   - qemuExit(code) flushes stdout and exits with status (code << 1) | 1, as QEMU's
 *     isa-debug-exit does; haltForever exits with status KEEL_HOSTED_HALT_STATUS (even,
 *     so never a QEMU status). Returning from kernelMain exits with 0.
 *   - load/store act on a SIMULATED sparse memory (4 KiB pages, zero-filled on first
 *     touch, little-endian, addresses wrap modulo 2^64), never on host memory: kernel
 *     addresses mean nothing in a process, and Node's machine does the same.
 *   - When the process stops (qemuExit, haltForever) and the last line written to COM1
 *     holds a panic message ("panic at ..."), that message is also written to stderr.
 *
 * libc is allowed here (hosted). Built with -fsanitize=address,undefined.
 *
 * Built with -DKEEL_FUZZ (the libFuzzer targets of test/fuzz/, `make fuzz`) it is a library
 * for test/fuzz/driver.c instead of a program: no main; nothing goes to stdout (the last
 * COM1 line is still kept); qemuExit and haltForever return to the driver through
 * keel_fuzz_jump with the status; object storage comes from calloc and is freed with the
 * simulated memory by keel_fuzz_reset between inputs; and a load outside the window set by
 * keel_fuzz_window aborts (a read outside the boot information is a finding). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "keel_runtime.h"
#ifdef KEEL_FUZZ
#include <setjmp.h>
#include "keel_fuzz.h"
#endif

#define KEEL_HOSTED_HALT_STATUS 4

#define COM1 0x3f8
#define COM1_LINE_CONTROL (COM1 + 3)
#define COM1_LINE_STATUS (COM1 + 5)
#define LCR_DLAB 0x80
#define LSR_TRANSMIT_EMPTY 0x20

/* ---- ports ---- */

static uint32_t ports[65536];

/* The current (or, right after a newline, the last complete) line written to COM1. */
static char line[4096];
static size_t line_len;
static bool line_done;

static void serial_byte(uint8_t b) {
#ifndef KEEL_FUZZ
    putchar(b);
#endif
    if (line_done) {
        line_len = 0;
        line_done = false;
    }
    if (b == '\n') line_done = true;
    else if (line_len < sizeof line - 1) line[line_len++] = (char)b;
}

static void port_out(uint16_t port, uint32_t value) {
    if (port == COM1 && (ports[COM1_LINE_CONTROL] & LCR_DLAB) == 0) serial_byte((uint8_t)value);
    else ports[port] = value;
}

static uint32_t port_in(uint16_t port) {
    if (port == COM1_LINE_STATUS) return LSR_TRANSMIT_EMPTY;
    return ports[port];
}

void keel_outb(uint16_t port, uint8_t value) { port_out(port, value); }
uint8_t keel_inb(uint16_t port) { return (uint8_t)port_in(port); }
void keel_outw(uint16_t port, uint16_t value) { port_out(port, value); }
uint16_t keel_inw(uint16_t port) { return (uint16_t)port_in(port); }
void keel_outl(uint16_t port, uint32_t value) { port_out(port, value); }
uint32_t keel_inl(uint16_t port) { return port_in(port); }

/* ---- stopping ---- */

_Noreturn static void stop(int status) {
    line[line_len] = '\0';
#ifdef KEEL_FUZZ
    longjmp(keel_fuzz_jump, status);
#endif
    fflush(stdout);
    /* The last "panic at " of the line: output may precede it on the same line. */
    const char *panic = NULL;
    for (const char *p = strstr(line, "panic at "); p; p = strstr(p + 1, "panic at ")) panic = p;
    if (panic) {
        fprintf(stderr, "%s\n", panic);
        fflush(stderr);
    }
    exit(status);
}

_Noreturn void keel_qemuExit(uint32_t code) { stop((int)(((code << 1) | 1) & 0xff)); }
_Noreturn void keel_haltForever(void) { stop(KEEL_HOSTED_HALT_STATUS); }

/* ---- simulated sparse memory ---- */

#define PAGE_SIZE 4096u
#define BUCKETS 1024u

struct page {
    struct page *next;
    uint64_t base;
    uint8_t bytes[PAGE_SIZE];
};

static struct page *buckets[BUCKETS];
/* The page of the last access: most accesses fall in the page of the one before, and a
 * lookup through the hash chain per byte dominated the fuzz targets' time. */
static struct page *last_page;

static struct page *page_at(uint64_t base) {
    if (last_page && last_page->base == base) return last_page;
    size_t h = (size_t)((base >> 12) * 0x9e3779b97f4a7c15ull >> 54) % BUCKETS;
    struct page *p = buckets[h];
    while (p && p->base != base) p = p->next;
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p) {
            fprintf(stderr, "keel hosted runtime: out of memory\n");
            exit(125);
        }
        p->base = base;
        p->next = buckets[h];
        buckets[h] = p;
    }
    last_page = p;
    return p;
}

static uint8_t *byte_at(uint64_t addr) {
    uint64_t base = addr & ~(uint64_t)(PAGE_SIZE - 1);
    return &page_at(base)->bytes[addr - base];
}

/* The `size` bytes at `addr` in one page, or NULL when they cross into the next one. */
static uint8_t *bytes_within_page(uint64_t addr, int size) {
    uint64_t offset = addr & (PAGE_SIZE - 1);
    if (offset + (uint64_t)size > PAGE_SIZE) return NULL;
    return &page_at(addr - offset)->bytes[offset];
}

#ifdef KEEL_FUZZ
static uint64_t window_first, window_end;

void keel_fuzz_window(uint64_t first, uint64_t end) {
    window_first = first;
    window_end = end;
}
#endif

static uint64_t load(uint64_t addr, int size) {
#ifdef KEEL_FUZZ
    if (window_end != 0 && (addr < window_first || addr > window_end - (uint64_t)size || window_end - window_first < (uint64_t)size)) {
        fprintf(stderr, "keel fuzz: load of %d bytes at 0x%llx, outside the input [0x%llx, 0x%llx)\n", size, (unsigned long long)addr,
                (unsigned long long)window_first, (unsigned long long)window_end);
        abort();
    }
#endif
    uint64_t v = 0;
    const uint8_t *b = bytes_within_page(addr, size);
    if (b) {
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | b[i];
        return v;
    }
    for (int i = size - 1; i >= 0; i--) v = (v << 8) | *byte_at(addr + (uint64_t)i);
    return v;
}

static void store(uint64_t addr, int size, uint64_t value) {
    uint8_t *b = bytes_within_page(addr, size);
    for (int i = 0; i < size; i++) *(b ? &b[i] : byte_at(addr + (uint64_t)i)) = (uint8_t)(value >> (8 * i));
}

uint8_t keel_load8(uint64_t addr) { return (uint8_t)load(addr, 1); }
uint16_t keel_load16(uint64_t addr) { return (uint16_t)load(addr, 2); }
uint32_t keel_load32(uint64_t addr) { return (uint32_t)load(addr, 4); }
uint64_t keel_load64(uint64_t addr) { return load(addr, 8); }
void keel_store8(uint64_t addr, uint8_t value) { store(addr, 1, value); }
void keel_store16(uint64_t addr, uint16_t value) { store(addr, 2, value); }
void keel_store32(uint64_t addr, uint32_t value) { store(addr, 4, value); }
void keel_store64(uint64_t addr, uint64_t value) { store(addr, 8, value); }

/* ---- memory management intrinsics (kernel/mm/): fixed stand-ins, as test/sim/intrinsics.ts ---- */

#define HOSTED_KERNEL_VMA 0xffffffff80000000ull
uint64_t keel_kernelImageStart(void) { return HOSTED_KERNEL_VMA + 0x100000; }
uint64_t keel_kernelImageEnd(void) { return HOSTED_KERNEL_VMA + 0x144000; }
uint64_t keel_kernelRodataStart(void) { return HOSTED_KERNEL_VMA + 0x109000; }
uint64_t keel_kernelRodataEnd(void) { return HOSTED_KERNEL_VMA + 0x10b000; }
uint64_t keel_kernelDataStart(void) { return HOSTED_KERNEL_VMA + 0x10b000; }
uint64_t keel_kernelDataEnd(void) { return HOSTED_KERNEL_VMA + 0x10c000; }
uint64_t keel_kernelBssStart(void) { return HOSTED_KERNEL_VMA + 0x10c000; }
uint64_t keel_kernelBssEnd(void) { return HOSTED_KERNEL_VMA + 0x144000; }
/* A counter that only moves forward (no cycle count in a process). */
static uint64_t hosted_tsc;
uint64_t keel_readTsc(void) { return hosted_tsc += 1000; }
/* A CPU without 1 GiB pages (CPUID 0x80000001 EDX bit 26 clear), as the simulated machine's default. */
uint32_t keel_cpuidEdx(uint32_t leaf) { (void)leaf; return 0; }
/* No interrupts in a process: no timer, so no watchdog ever abandons a guarded call. */
static bool hosted_interrupts;
void keel_enableInterrupts(void) { hosted_interrupts = true; }
/* RFLAGS.IF and the CPU index of the one CPU of a process, as compiler/src/hosted.ts. */
bool keel_disableInterrupts(void) {
    bool was = hosted_interrupts;
    hosted_interrupts = false;
    return was;
}
void keel_restoreInterrupts(bool enabled) {
    if (enabled) hosted_interrupts = true;
}
static uint32_t hosted_cpu_index;
void keel_installCpuLocal(uint32_t index) { hosted_cpu_index = index; }
uint32_t keel_cpuIndex(void) { return hosted_cpu_index; }
static uint32_t hosted_lock_states[KEEL_MAX_CPUS];
uint32_t keel_cpuLockState(void) { return hosted_lock_states[hosted_cpu_index]; }
void keel_setCpuLockState(uint32_t state) { hosted_lock_states[hosted_cpu_index] = state; }
/* One CPU and no interrupts in a process: nothing to wait for; every probed read succeeds. */
void keel_waitForInterrupt(void) { hosted_interrupts = true; }
bool keel_probeRead(uint64_t addr) { (void)addr; return true; }
uint64_t keel_probeFaultAddress(void) { return 0; }
uint64_t keel_probeFixupAddress(void) { return 0; }
bool keel_runGuarded(void (*body)(void)) { body(); return false; }
_Noreturn void keel_abandonGuarded(void) { keel_haltForever(); }

/* Objects stay in the emitted arena in a process: the hook is accepted and never used. */
static uint64_t (*hosted_object_allocator)(uint64_t);
void keel_setObjectAllocator(uint64_t (*alloc)(uint64_t)) { hosted_object_allocator = alloc; }
#ifndef KEEL_FUZZ
void *keel_heap_alloc(uint64_t size) { (void)size; (void)hosted_object_allocator; return NULL; }
#else
/* Every object of one input, freed by keel_fuzz_reset: each is its own calloc, so ASan sees
 * an access past any object or array. */
struct object {
    struct object *next;
    _Alignas(16) uint8_t bytes[];
};
static struct object *objects;

void *keel_heap_alloc(uint64_t size) {
    (void)hosted_object_allocator;
    struct object *o = calloc(1, sizeof *o + (size_t)size);
    if (!o) abort();
    o->next = objects;
    objects = o;
    return o->bytes;
}

jmp_buf keel_fuzz_jump;

void keel_fuzz_store_bytes(uint64_t addr, const uint8_t *data, size_t size) {
    while (size > 0) {
        uint64_t offset = addr & (PAGE_SIZE - 1);
        size_t n = PAGE_SIZE - offset < size ? (size_t)(PAGE_SIZE - offset) : size;
        memcpy(&page_at(addr - offset)->bytes[offset], data, n);
        addr += n;
        data += n;
        size -= n;
    }
}

const char *keel_fuzz_last_line(void) {
    line[line_len] = '\0';
    return line;
}

void keel_fuzz_reset(void) {
    while (objects) {
        struct object *o = objects;
        objects = o->next;
        free(o);
    }
    for (unsigned h = 0; h < BUCKETS; h++) {
        while (buckets[h]) {
            struct page *p = buckets[h];
            buckets[h] = p->next;
            free(p);
        }
    }
    last_page = NULL;
    window_first = window_end = 0;
    line_len = 0;
    line_done = false;
}
#endif

/* ---- entry ---- */
#ifndef KEEL_FUZZ
int main(void) {
    /* The boot information address: there is none in a process. */
    keel_start(0);
    fflush(stdout);
    return 0;
}
#endif
