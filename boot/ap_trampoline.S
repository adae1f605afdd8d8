/* Application processor start-up (issue 12): the real-mode trampoline an AP runs after the
 * boot CPU's INIT-SIPI-SIPI, and its 64-bit continuation in the higher half.
 *
 * The trampoline (ap_trampoline_start .. ap_trampoline_end) runs from any 4 KiB frame below
 * 1 MiB: kernel/smp/trampoline.ts picks a free one (GRUB's leftovers move with the firmware:
 * under UEFI its copies of the ELF sections lie at 0x1000..), copies the code there, fills
 * in the data words and maps the page at its own address (read and execute) in the kernel's
 * page tables while the APs start. The SIPI starts the AP in real mode at CS = page << 8,
 * IP = 0; the code finds its linear base in CS, writes the base-relative addresses into its
 * GDT pointer and far pointers (before paging: the page is still writable to it), and keeps
 * the base in EBX/RBX. It goes 16 -> 32 -> 64-bit on the kernel's own CR3: the instruction
 * after enabling paging and the far jump to 64-bit code run from the identity-mapped page,
 * and the first 64-bit instructions jump to ap_start64 in the higher half on the AP's stack.
 *
 * Data words (offsets from the start; kernel/smp/trampoline.ts has the same numbers):
 *    8  u64 physical address of the kernel's P4 table (below 4 GiB: loaded in 32-bit mode)
 *   16  u64 top of the AP's stack (virtual, higher half)
 *   24  u64 the AP's index, passed to apMain
 *   32  u64 address of ap_start64 (filled in by the assembler)
 * The trampoline's GDT has the accessed bits preset: the CPU never writes to it (its page is
 * mapped read-only once paging is on). */
#include "boot.h"

#define OFF(label)              ((label) - ap_trampoline_start)
#define TRAMPOLINE_CODE32       0x08
#define TRAMPOLINE_DATA         0x10
#define TRAMPOLINE_CODE64       0x18
/* TypeScript's apMain(cpuIndex) in kernel/smp/ap_main.ts, by keelc's C name: weak, so
 * images without kernel/smp/ link (an AP of theirs would halt). */
#define AP_MAIN                 smp_ap_main__apMain
	.weak AP_MAIN

	.section .rodata, "a"
	.balign 16
	.globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	.code16
	jmp real_mode_start
	.org ap_trampoline_start + 8
ap_p4:          .quad 0
ap_stack_top:   .quad 0
ap_cpu_index:   .quad 0
ap_entry:       .quad ap_start64

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF        /* 0x08: 32-bit code, base 0, 4 GiB, accessed */
	.quad 0x00CF93000000FFFF        /* 0x10: data, base 0, 4 GiB, accessed */
	.quad 0x00209B0000000000        /* 0x18: 64-bit code, accessed */
ap_gdt_end:
ap_gdt_pointer:
	.word ap_gdt_end - ap_gdt - 1
	.long 0                         /* linear address of ap_gdt: written at run time */
far_protected_mode:
	.long 0                         /* linear address of protected_mode: written at run time */
	.word TRAMPOLINE_CODE32
far_long_mode:
	.long 0                         /* linear address of long_mode: written at run time */
	.word TRAMPOLINE_CODE64

real_mode_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	movzwl %ax, %ebx
	shl $4, %ebx                    /* EBX = linear base of the trampoline */
	mov %ebx, %eax
	add $OFF(ap_gdt), %eax
	mov %eax, OFF(ap_gdt_pointer) + 2
	mov %ebx, %eax
	add $OFF(protected_mode), %eax
	mov %eax, OFF(far_protected_mode)
	mov %ebx, %eax
	add $OFF(long_mode), %eax
	mov %eax, OFF(far_long_mode)
	lgdtl OFF(ap_gdt_pointer)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl *OFF(far_protected_mode)  /* DS still has the real-mode base */

	.code32
protected_mode:
	mov $TRAMPOLINE_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov OFF(ap_p4)(%ebx), %eax
	enter_long_mode                 /* long mode (compatibility); this page is identity-mapped */
	ljmpl *OFF(far_long_mode)(%ebx)

	.code64
long_mode:
	mov %ebx, %ebx                  /* zero-extend: the upper halves are undefined after the switch */
	mov OFF(ap_stack_top)(%rbx), %rsp
	mov OFF(ap_cpu_index)(%rbx), %rdi
	mov OFF(ap_entry)(%rbx), %rax
	jmp *%rax
ap_trampoline_end:

/* 64-bit, higher half, on the AP's own stack, RDI = its index: load the kernel's GDT (the
 * trampoline's page goes away once the APs are up), then call apMain, which loads the AP's
 * own GDT, TSS and the shared IDT. apMain does not return; if it did, or without one,
 * halt. */
	.section .text, "ax"
	.type ap_start64, @function
ap_start64:
	.cfi_startproc
	.cfi_undefined %rip
	load_kernel_gdt
	xor %ebp, %ebp
	movabs $AP_MAIN, %rax
	test %rax, %rax
	jz 2f
	call *%rax
2:	cli
	hlt
	jmp 2b
	.cfi_endproc
	.size ap_start64, . - ap_start64
