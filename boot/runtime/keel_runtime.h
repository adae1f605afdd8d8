/* The runtime the C emitted by keelc links against: fixed-width types and the machine
 * intrinsics declared in kernel/lib/intrinsics.ts, each as keel_<name>. Freestanding: no
 * libc. The hosted build (test/, differential tests) provides the same names in
 * boot/runtime/hosted.c instead. */
#ifndef KEEL_RUNTIME_H
#define KEEL_RUNTIME_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

void keel_outb(uint16_t port, uint8_t value);
uint8_t keel_inb(uint16_t port);
void keel_outw(uint16_t port, uint16_t value);
uint16_t keel_inw(uint16_t port);
void keel_outl(uint16_t port, uint32_t value);
uint32_t keel_inl(uint16_t port);

/* Exit QEMU via isa-debug-exit at port 0xf4: status (code << 1) | 1. Never returns:
 * TCG may act on the write late, so halt in a loop behind it. */
_Noreturn void keel_qemuExit(uint32_t code);
_Noreturn void keel_haltForever(void);

#ifdef KEEL_FREESTANDING
/* Raw memory access, inlined into the emitted C: one mov each. Macros rather than inline
 * functions, so the instruction carries the #line of the TypeScript statement that does
 * the access (a fault there is reported at that line, not in this header). Each argument
 * is evaluated once. */
#define keel_load8(addr) (*(volatile uint8_t *)(uintptr_t)(uint64_t)(addr))
#define keel_load16(addr) (*(volatile uint16_t *)(uintptr_t)(uint64_t)(addr))
#define keel_load32(addr) (*(volatile uint32_t *)(uintptr_t)(uint64_t)(addr))
#define keel_load64(addr) (*(volatile uint64_t *)(uintptr_t)(uint64_t)(addr))
#define keel_store8(addr, value) ((void)(*(volatile uint8_t *)(uintptr_t)(uint64_t)(addr) = (uint8_t)(value)))
#define keel_store16(addr, value) ((void)(*(volatile uint16_t *)(uintptr_t)(uint64_t)(addr) = (uint16_t)(value)))
#define keel_store32(addr, value) ((void)(*(volatile uint32_t *)(uintptr_t)(uint64_t)(addr) = (uint32_t)(value)))
#define keel_store64(addr, value) ((void)(*(volatile uint64_t *)(uintptr_t)(uint64_t)(addr) = (uint64_t)(value)))
#else
uint8_t keel_load8(uint64_t addr);
uint16_t keel_load16(uint64_t addr);
uint32_t keel_load32(uint64_t addr);
uint64_t keel_load64(uint64_t addr);
void keel_store8(uint64_t addr, uint8_t value);
void keel_store16(uint64_t addr, uint16_t value);
void keel_store32(uint64_t addr, uint32_t value);
void keel_store64(uint64_t addr, uint64_t value);
#endif

/* x86_64 control registers, descriptor tables and stacks (boot/runtime/keel_arch.c). */
uint64_t keel_readCr2(void);
uint64_t keel_readCr3(void);
void keel_writeCr3(uint64_t value);
#ifdef KEEL_FREESTANDING
/* Inline: the mapper's map and unmap run one each, and a call would cost a third more. */
static inline __attribute__((always_inline)) void keel_invlpg(uint64_t addr) {
    __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}
#else
void keel_invlpg(uint64_t addr);
#endif
uint64_t keel_readRsp(void);
uint64_t keel_readRbp(void);
void keel_lidt(uint64_t base, uint16_t limit);
void keel_lgdt(uint64_t base, uint16_t limit);
void keel_ltr(uint16_t selector);
_Noreturn void keel_ud2(void);               /* boot/exceptions.S */

/* Addresses the linker and boot/exceptions.S define (boot/runtime/keel_arch.c). */
uint64_t keel_kernelTextStart(void);
uint64_t keel_kernelTextEnd(void);
uint64_t keel_kernelVma(void);
uint64_t keel_bootStackGuard(void);
uint64_t keel_bootStackBottom(void);
uint64_t keel_bootStackTop(void);
uint64_t keel_doubleFaultStackBottom(void);
uint64_t keel_doubleFaultStackTop(void);
uint64_t keel_exceptionStubAddress(uint32_t vector);
uint64_t keel_idtAddress(void);
uint64_t keel_gdtAddress(void);
uint16_t keel_gdtLimit(void);
uint64_t keel_tssAddress(void);
uint64_t keel_guardPageTableAddress(void);
uint64_t keel_apTrampolineStart(void);
uint64_t keel_apTrampolineEnd(void);

/* Kernel symbolizer over the line and function tables that qemu/build-image.sh generates
 * from the kernel's own DWARF (boot/runtime/keel_symbols.c): the source file, line and
 * function of a code address; "" and 0 when the address is not in the tables. */
const char *keel_sourceFileOf(uint64_t addr);
uint32_t keel_sourceLineOf(uint64_t addr);
const char *keel_functionNameOf(uint64_t addr);
uint64_t keel_functionStartOf(uint64_t addr);
bool keel_sourceIsTypeScript(uint64_t addr);

/* Emitted by keelc: runs module initialisers, then the entry module's `kernelMain`.
 * The boot stub calls it in 64-bit mode with the multiboot2 information's physical
 * address (reachable through the early identity map). */
void keel_start(uint64_t multiboot_info_phys);

/* Memory primitives (boot/runtime/string.c; libc's in the hosted build). gcc may emit
 * calls to them for struct copies and zero-initialisation; emitted C may call them too. */
void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memset(void *dest, int c, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Memory management (boot/runtime/keel_arch.c): section bounds, rdtsc, and the kernel
 * heap's hook for object storage. keel_heap_alloc returns `size` zeroed, 16-byte aligned
 * bytes from the allocator registered with keel_setObjectAllocator, or NULL (none
 * registered, it is out of memory, or the call is reentrant): then keel_alloc uses its
 * static arena. */
uint64_t keel_kernelImageStart(void);
uint64_t keel_kernelImageEnd(void);
uint64_t keel_kernelRodataStart(void);
uint64_t keel_kernelRodataEnd(void);
uint64_t keel_kernelDataStart(void);
uint64_t keel_kernelDataEnd(void);
uint64_t keel_kernelBssStart(void);
uint64_t keel_kernelBssEnd(void);
uint64_t keel_readTsc(void);
uint32_t keel_cpuidEdx(uint32_t leaf);
void keel_setObjectAllocator(uint64_t (*alloc)(uint64_t));
void *keel_heap_alloc(uint64_t size);

/* Interrupts and the in-kernel test watchdog (boot/guarded_call.S; hosted: keel_hosted.c). */
void keel_enableInterrupts(void);
void keel_waitForInterrupt(void);
/* A read that may fault (boot/exceptions.S): false when it did. */
bool keel_probeRead(uint64_t addr);
uint64_t keel_probeFaultAddress(void);
uint64_t keel_probeFixupAddress(void);
bool keel_runGuarded(void (*body)(void));
_Noreturn void keel_abandonGuarded(void);

/* Atomics (kernel/lib/atomic.ts): each acts on the `value` field of the AtomicU64/AtomicU32
 * struct keelc emits (a mutable class: `cell` is a pointer), with gcc's __atomic builtins,
 * which compile inline to lock xadd / lock cmpxchg / xchg / mov on x86_64 (no libatomic:
 * the cells are naturally aligned 4- and 8-byte integers). The ordering arguments are the
 * values of LoadOrder/StoreOrder/RmwOrder, which are gcc's __ATOMIC_* constants. Macros,
 * so that a constant ordering reaches the builtin (and the instruction carries the #line of
 * the TypeScript statement); each argument is evaluated once. The same in hosted builds. */
#define keel_atomicLoad64(cell, order) __atomic_load_n(&(cell)->value, (int)(order))
#define keel_atomicStore64(cell, v, order) __atomic_store_n(&(cell)->value, (v), (int)(order))
#define keel_atomicSwap64(cell, v, order) __atomic_exchange_n(&(cell)->value, (v), (int)(order))
/* A failed compare-exchange only loads: its ordering drops the release part. */
#define keel_atomic_failure_order(order) \
    ((int)(order) == __ATOMIC_RELEASE ? __ATOMIC_RELAXED : (int)(order) == __ATOMIC_ACQ_REL ? __ATOMIC_ACQUIRE : (int)(order))
#define keel_atomicCompareExchange64(cell, expected, desired, order) \
    __extension__({ __typeof__((cell)->value) *keel_cell_ = &(cell)->value; __typeof__(*keel_cell_) keel_seen_ = (expected); \
        (void)__atomic_compare_exchange_n(keel_cell_, &keel_seen_, (desired), false, (int)(order), keel_atomic_failure_order(order)); keel_seen_; })
#define keel_atomicFetchAdd64(cell, v, order) __atomic_fetch_add(&(cell)->value, (v), (int)(order))
#define keel_atomicFetchSub64(cell, v, order) __atomic_fetch_sub(&(cell)->value, (v), (int)(order))
#define keel_atomicFetchAnd64(cell, v, order) __atomic_fetch_and(&(cell)->value, (v), (int)(order))
#define keel_atomicFetchOr64(cell, v, order) __atomic_fetch_or(&(cell)->value, (v), (int)(order))
#define keel_atomicLoad32 keel_atomicLoad64
#define keel_atomicStore32 keel_atomicStore64
#define keel_atomicSwap32 keel_atomicSwap64
#define keel_atomicCompareExchange32 keel_atomicCompareExchange64
#define keel_atomicFetchAdd32 keel_atomicFetchAdd64
#define keel_atomicFetchSub32 keel_atomicFetchSub64
#define keel_atomicFetchAnd32 keel_atomicFetchAnd64
#define keel_atomicFetchOr32 keel_atomicFetchOr64
/* The spin-wait hint: `pause` (also a compiler barrier, so a spin loop re-reads memory). */
#define keel_spinHint() __asm__ volatile("pause" : : : "memory")

/* Interrupt state and the CPU-local area (kernel/sync/, kernel/arch/x86_64/cpu_local.ts).
 * Each CPU's gs base points at its own area: { self pointer, CPU index, lock state };
 * cpuIndex reads the index with one `mov %gs:8`. The hosted builds keep them as plain variables. */
#define KEEL_MAX_CPUS 64
void keel_installCpuLocal(uint32_t index);
#ifdef KEEL_FREESTANDING
static inline bool keel_disableInterrupts(void) {
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return (flags & 0x200) != 0; /* RFLAGS.IF */
}
static inline void keel_restoreInterrupts(bool enabled) {
    if (enabled) __asm__ volatile("sti" : : : "memory");
}
static inline uint32_t keel_cpuIndex(void) {
    uint32_t index;
    __asm__ volatile("movl %%gs:8, %0" : "=r"(index));
    return index;
}
/* The spinlocks' per-CPU word (kernel/sync/spinlock.ts): one gs access each, no index check. */
static inline uint32_t keel_cpuLockState(void) {
    uint32_t state;
    __asm__ volatile("movl %%gs:12, %0" : "=r"(state));
    return state;
}
static inline void keel_setCpuLockState(uint32_t state) {
    __asm__ volatile("movl %0, %%gs:12" : : "r"(state));
}
#else
bool keel_disableInterrupts(void);
void keel_restoreInterrupts(bool enabled);
uint32_t keel_cpuIndex(void);
uint32_t keel_cpuLockState(void);
void keel_setCpuLockState(uint32_t state);
#endif

#endif
