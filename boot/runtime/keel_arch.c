/* x86_64 intrinsics for traps and stacks (keel_runtime.h): control registers, descriptor
 * table loads, and the addresses of linker and boot/exceptions.S symbols, for
 * kernel/arch/x86_64/. */
#include "keel_runtime.h"

uint64_t keel_readCr2(void) {
    uint64_t value;
    __asm__ volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}

uint64_t keel_readCr3(void) {
    uint64_t value;
    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

void keel_writeCr3(uint64_t value) {
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

/* The caller's stack and frame pointers: noinline so "the caller" is well defined. */
__attribute__((noinline)) uint64_t keel_readRsp(void) {
    uint64_t value;
    __asm__ volatile("mov %%rsp, %0" : "=r"(value));
    return value + 16; /* before the call: return address and saved RBP */
}

__attribute__((noinline)) uint64_t keel_readRbp(void) {
    /* This function's own frame (RBP) holds the caller's saved RBP. */
    const uint64_t *frame = __builtin_frame_address(0);
    return frame[0];
}

/* lidt/lgdt operand: 16-bit limit, 64-bit base. */
struct __attribute__((packed)) keel_descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

void keel_lidt(uint64_t base, uint16_t limit) {
    struct keel_descriptor_pointer p = { limit, base };
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void keel_lgdt(uint64_t base, uint16_t limit) {
    struct keel_descriptor_pointer p = { limit, base };
    __asm__ volatile("lgdt %0" : : "m"(p) : "memory");
}

void keel_ltr(uint16_t selector) {
    __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

void keel_enableInterrupts(void) {
    __asm__ volatile("sti" : : : "memory");
}

/* sti's one-instruction shadow covers hlt: an interrupt pending at sti wakes the hlt. */
void keel_waitForInterrupt(void) {
    __asm__ volatile("sti; hlt" : : : "memory");
}

/* Linker script and assembly symbols: only their addresses mean anything. */
extern char __text_start[], __text_end[], __kernel_vma[];
extern char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];
extern char keel_double_fault_stack_bottom[], keel_double_fault_stack_top[];
extern const uint64_t keel_exception_stubs[50];
extern char keel_probe_fault[], keel_probe_fixup[];
extern char keel_idt[], keel_gdt[], keel_gdt_end[], keel_tss[], keel_guard_page_table[];

#define ADDR(sym) ((uint64_t)(uintptr_t)(sym))

uint64_t keel_kernelTextStart(void) { return ADDR(__text_start); }
uint64_t keel_kernelTextEnd(void) { return ADDR(__text_end); }
uint64_t keel_kernelVma(void) { return ADDR(__kernel_vma); }
uint64_t keel_bootStackGuard(void) { return ADDR(__boot_stack_guard); }
uint64_t keel_bootStackBottom(void) { return ADDR(__boot_stack_bottom); }
uint64_t keel_bootStackTop(void) { return ADDR(__boot_stack_top); }
uint64_t keel_doubleFaultStackBottom(void) { return ADDR(keel_double_fault_stack_bottom); }
uint64_t keel_doubleFaultStackTop(void) { return ADDR(keel_double_fault_stack_top); }
uint64_t keel_exceptionStubAddress(uint32_t vector) { return vector < 50 ? keel_exception_stubs[vector] : 0; }
uint64_t keel_probeFaultAddress(void) { return ADDR(keel_probe_fault); }
uint64_t keel_probeFixupAddress(void) { return ADDR(keel_probe_fixup); }
uint64_t keel_idtAddress(void) { return ADDR(keel_idt); }
uint64_t keel_gdtAddress(void) { return ADDR(keel_gdt); }
uint16_t keel_gdtLimit(void) { return (uint16_t)(keel_gdt_end - keel_gdt - 1); }
uint64_t keel_tssAddress(void) { return ADDR(keel_tss); }
uint64_t keel_guardPageTableAddress(void) { return ADDR(keel_guard_page_table); }

/* The AP trampoline's code in .rodata (boot/ap_trampoline.S). */
extern char ap_trampoline_start[], ap_trampoline_end[];
uint64_t keel_apTrampolineStart(void) { return ADDR(ap_trampoline_start); }
uint64_t keel_apTrampolineEnd(void) { return ADDR(ap_trampoline_end); }

/* Memory management (kernel/mm/): section bounds, the time-stamp counter. */
extern char __rodata_start[], __rodata_end[], __data_start[], __data_end[], __bss_start[], __bss_end[], __kernel_start[], __kernel_end[];

uint64_t keel_kernelImageStart(void) { return ADDR(__kernel_start); }
uint64_t keel_kernelImageEnd(void) { return ADDR(__kernel_end); }
uint64_t keel_kernelRodataStart(void) { return ADDR(__rodata_start); }
uint64_t keel_kernelRodataEnd(void) { return ADDR(__rodata_end); }
uint64_t keel_kernelDataStart(void) { return ADDR(__data_start); }
uint64_t keel_kernelDataEnd(void) { return ADDR(__data_end); }
uint64_t keel_kernelBssStart(void) { return ADDR(__bss_start); }
uint64_t keel_kernelBssEnd(void) { return ADDR(__bss_end); }

uint32_t keel_cpuidEdx(uint32_t leaf) {
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
    (void)a; (void)b; (void)c;
    return d;
}

uint64_t keel_readTsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The kernel heap's object allocator (kernel/mm/heap/heap.ts), once registered. keel_alloc in
 * keelc's keel_support.c asks keel_heap_alloc first and falls back to its static arena on
 * NULL. Reentrancy (a `new` while the heap itself allocates on the same CPU, e.g. while it
 * grows) gets NULL; the flag is per CPU: another CPU's `new` meanwhile waits for the heap's
 * lock instead (the arena is not shared safely between CPUs: only the heap lock's holder
 * falls back to it). The index is read only once an allocator is registered, after the
 * boot CPU installed its gs area. */
static uint64_t (*keel_object_allocator)(uint64_t);
static bool keel_object_allocator_busy[KEEL_MAX_CPUS];

void keel_setObjectAllocator(uint64_t (*alloc)(uint64_t)) { keel_object_allocator = alloc; }

void *keel_heap_alloc(uint64_t size) {
    if (keel_object_allocator == NULL) return NULL;
    uint32_t cpu = keel_cpuIndex();
    if (keel_object_allocator_busy[cpu]) return NULL;
    keel_object_allocator_busy[cpu] = true;
    uint64_t addr = keel_object_allocator(size);
    keel_object_allocator_busy[cpu] = false;
    return (void *)(uintptr_t)addr;
}

/* The CPU-local areas (keel_runtime.h): gs base of CPU `index` points at its own. */
struct keel_cpu_local {
    uint64_t self;  /* the area's own address: %gs:0 */
    uint32_t index; /* the CPU's index: %gs:8 */
    uint32_t lock_state; /* the spinlocks' word (kernel/sync/spinlock.ts): %gs:12 */
};
static struct keel_cpu_local keel_cpu_locals[KEEL_MAX_CPUS];

#define IA32_GS_BASE 0xc0000101u

void keel_installCpuLocal(uint32_t index) {
    /* kernel/arch/x86_64/cpu_local.ts checks the index; a bad one here is a broken kernel. */
    if (index >= KEEL_MAX_CPUS) keel_ud2();
    struct keel_cpu_local *area = &keel_cpu_locals[index];
    area->self = ADDR(area);
    area->index = index;
    uint64_t base = ADDR(area);
    __asm__ volatile("wrmsr" : : "c"(IA32_GS_BASE), "a"((uint32_t)base), "d"((uint32_t)(base >> 32)) : "memory");
}
