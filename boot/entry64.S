/* 64-bit entry in the higher half: entry32.S jumps here with RDI = the multiboot2
 * information's physical address. Reloads the GDT at its higher-half address (so it
 * stays valid once the kernel drops the identity map), clears .bss, switches to the
 * kernel stack and calls keel_start(multiboot_info_phys). */
#include "boot.h"

/* Size of the boot kernel stack. __boot_stack_bottom is page-aligned; the page below
 * it, __boot_stack_guard, is reserved for nothing else: kernel/arch/x86_64/stack_guard.ts
 * unmaps it at start so an overflow faults instead of overwriting .bss. */
#define BOOT_STACK_SIZE (64 * 1024)

	/* Call-frame information for debuggers only: marks start64 as the outermost frame
	 * (return address undefined), so GDB's backtrace ends here. */
	.cfi_sections .debug_frame

	.section .text, "ax"
	.code64
	.globl start64
	.type start64, @function
start64:
	.cfi_startproc
	.cfi_undefined %rip
	load_kernel_gdt
	/* Clear .bss (includes the kernel stack): GRUB zeroes it, but do not rely on it. 64
	 * bytes a step (both ends are page aligned): QEMU's TCG runs a rep string instruction
	 * one iteration at a time, and rep stosb over the then 4 MiB .bss took 30-70 ms of
	 * boot; rep stosq still ran 148,000 iterations over today's 1.1 MiB, this loop 18,500. */
	mov %rdi, %r12
	mov $__bss_start, %rdi
	mov $__bss_end, %rcx
	xor %eax, %eax
1:	cmp %rcx, %rdi
	jae 2f
	mov %rax, 0(%rdi)
	mov %rax, 8(%rdi)
	mov %rax, 16(%rdi)
	mov %rax, 24(%rdi)
	mov %rax, 32(%rdi)
	mov %rax, 40(%rdi)
	mov %rax, 48(%rdi)
	mov %rax, 56(%rdi)
	add $64, %rdi
	jmp 1b
2:
	mov %r12, %rdi

	/* SysV ABI: RSP 16-byte aligned at the call. RBP = 0 ends the frame chain. */
	mov $__boot_stack_top, %rsp
	xor %ebp, %ebp
	call keel_start

	/* keel_start must not return: say so on COM1 (already set up by the kernel, or
	 * not: then the bytes are lost), and halt. */
	lea msg_returned(%rip), %rsi
	mov $(COM1 + UART_DATA), %dx
2:	lodsb
	test %al, %al
	jz 3f
	outb %al, %dx
	jmp 2b
3:	cli
	hlt
	jmp 3b
	.cfi_endproc
	.size start64, . - start64

	.section .rodata, "a"
msg_returned:
	.asciz "\r\nkeel: keel_start returned; halting\r\n"

	/* The boot GDT: null, 64-bit kernel code, kernel data. Accessed bits preset so the
	 * CPU never writes to it (it may end up on a read-only page). */
	.balign 16
gdt64:
	.quad 0
	.quad 0x00209B0000000000        /* code: present, DPL 0, exec/read, accessed, L=1 */
	.quad 0x0000930000000000        /* data: present, DPL 0, read/write, accessed */
gdt64_end:

	/* lgdt operand in 64-bit mode: limit, higher-half base. */
	.balign 8
	.globl gdt64_pointer
gdt64_pointer:
	.word gdt64_end - gdt64 - 1
	.quad gdt64

	/* lgdt operand for entry32.S in 32-bit mode: limit, 32-bit physical base. */
	.section .boot.rodata, "a"
	.balign 8
	.globl gdt64_pointer32
gdt64_pointer32:
	.word gdt64_end - gdt64 - 1
	.long gdt64 - KERNEL_VMA

	.section .bss.boot_stack, "aw", @nobits
	.balign PAGE_SIZE
	.globl __boot_stack_guard, __boot_stack_bottom, __boot_stack_top
__boot_stack_guard:
	.skip PAGE_SIZE
__boot_stack_bottom:
	.skip BOOT_STACK_SIZE
__boot_stack_top:
