/* Constants shared by the boot assembly (entry32.S, entry64.S, boot_fail32.S).
 * Every hardware bit is named here, with where it lives. Keep KERNEL_VMA in step with
 * linker.ld. */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

/* Virtual base of the higher half: the first 2 GiB of physical memory appear here. */
#define KERNEL_VMA              0xFFFFFFFF80000000

/* Multiboot2: value of EAX when a multiboot2 loader enters the kernel. */
#define MB2_BOOTLOADER_MAGIC    0x36d76289

/* EFLAGS */
#define EFLAGS_ID               (1 << 21)   /* toggleable iff CPUID exists */

/* CPUID leaf 0x80000001, EDX */
#define CPUID_EXT_MAX_LEAF      0x80000000  /* EAX: highest extended leaf */
#define CPUID_EXT_FEATURES      0x80000001
#define CPUID_EDX_NX            (1 << 20)   /* no-execute page bit */
#define CPUID_EDX_LM            (1 << 29)   /* long mode (x86_64) */

/* Control registers */
#define CR0_PE                  (1 << 0)    /* protected mode */
#define CR0_WP                  (1 << 16)   /* supervisor honours read-only pages */
#define CR0_PG                  (1 << 31)   /* paging */
#define CR4_PAE                 (1 << 5)    /* physical address extension */

/* EFER (extended feature enable register) */
#define MSR_EFER                0xC0000080
#define EFER_LME                (1 << 8)    /* long mode enable */
#define EFER_NXE                (1 << 11)   /* no-execute enable (bit 63 of entries) */

/* Page-table entry bits */
#define PTE_PRESENT             (1 << 0)
#define PTE_WRITABLE            (1 << 1)
#define PTE_HUGE                (1 << 7)    /* 2 MiB page in a P2 entry */
#define PAGE_SIZE               4096
#define ENTRIES_PER_TABLE       512

/* GDT selectors (index << 3): see gdt64 in entry64.S */
#define GDT_KERNEL_CODE         0x08
#define GDT_KERNEL_DATA         0x10

/* COM1 16550 UART */
#define COM1                    0x3F8
#define UART_DATA               0           /* THR/RBR, divisor low with DLAB */
#define UART_IER                1           /* interrupt enable, divisor high with DLAB */
#define UART_FCR                2           /* FIFO control */
#define UART_LCR                3           /* line control */
#define UART_MCR                4           /* modem control */
#define UART_LSR                5           /* line status */
#define UART_LCR_DLAB           0x80        /* divisor latch access */
#define UART_LCR_8N1            0x03        /* 8 data bits, no parity, 1 stop bit */
#define UART_FCR_ENABLE_CLEAR   0xC7        /* enable + clear FIFOs, 14-byte threshold */
#define UART_MCR_DTR_RTS_OUT2   0x0B
#define UART_LSR_THR_EMPTY      0x20

/* VGA text buffer (80x25, 2 bytes per cell: character, attribute) */
#define VGA_TEXT                0xB8000
#define VGA_ATTR_ERROR          0x4F        /* white on red */

#ifdef __ASSEMBLER__
/* 32-bit protected mode -> long mode (compatibility mode) with NX and write protection, on
 * the P4 table at the physical address in EAX. Clobbers EAX, ECX, EDX. The boot CPU
 * (entry32.S) and every AP (ap_trampoline.S) go through it. */
.macro enter_long_mode
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PE | CR0_WP | CR0_PG), %eax
	mov %eax, %cr0
.endm

/* 64-bit: loads the kernel's boot GDT at its higher-half address (entry64.S's gdt64) and
 * reloads every segment register through it, CS with a far return. Clobbers RAX; needs a
 * stack. The boot CPU (start64) and every AP (ap_start64) go through it. */
.macro load_kernel_gdt
	lgdt gdt64_pointer(%rip)
	mov $GDT_KERNEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	pushq $GDT_KERNEL_CODE
	leaq .Lkernel_gdt_loaded\@(%rip), %rax
	pushq %rax
	lretq
.Lkernel_gdt_loaded\@:
.endm
#endif

#endif
