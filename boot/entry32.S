/* 32-bit entry: GRUB (multiboot2) jumps to _start32 in 32-bit protected mode, paging
 * off, at the physical address linker.ld gives the low section .boot.text. This code
 * checks that it can boot (multiboot2 magic, CPUID, long mode, NX), builds the early
 * page tables, enables long mode with NX and write protection, and far-jumps to 64-bit
 * code, which continues in the higher half (start64 in entry64.S).
 *
 * Early address space (2 MiB pages, writable, executable):
 *   0 .. 4 GiB                          -> physical 0 .. 4 GiB  (identity)
 *   KERNEL_VMA .. KERNEL_VMA + 2 GiB    -> physical 0 .. 2 GiB  (kernel higher half)
 * P4[0] -> p3_identity[0..3] -> p2_tables[0..3]; P4[511] -> p3_high[510], [511] ->
 * p2_tables[0], [1] (the higher half shares the identity map's first two P2 tables).
 *
 * Everything here runs and is addressed at physical addresses; symbols of the higher
 * half are used with KERNEL_VMA subtracted. */
#include "boot.h"

	.section .boot.text, "ax"
	.code32
	.globl _start32
	.type _start32, @function
_start32:
	cli
	cld
	mov $boot_stack32_top, %esp
	mov %eax, %ebp                  /* EBP = loader magic */
	mov %ebx, %esi                  /* ESI = multiboot2 information (physical); kept until start64 */

	/* Clear .boot.bss (page tables, this stack): GRUB zeroes it, but do not rely on it. */
	mov $__boot_bss_start, %edi
	mov $__boot_bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	cmp $MB2_BOOTLOADER_MAGIC, %ebp
	jne .Lno_multiboot2

	/* CPUID exists iff EFLAGS.ID can be flipped. */
	pushfl
	pop %eax
	mov %eax, %ecx
	xor $EFLAGS_ID, %eax
	push %eax
	popfl
	pushfl
	pop %eax
	push %ecx                       /* restore the original EFLAGS */
	popfl
	cmp %eax, %ecx
	je .Lno_cpuid

	mov $CPUID_EXT_MAX_LEAF, %eax
	cpuid
	cmp $CPUID_EXT_FEATURES, %eax
	jb .Lno_long_mode
	mov $CPUID_EXT_FEATURES, %eax
	cpuid
	test $CPUID_EDX_LM, %edx
	jz .Lno_long_mode
	test $CPUID_EDX_NX, %edx
	jz .Lno_nx

	call build_early_page_tables

	mov $p4_table, %eax
	enter_long_mode                 /* long mode active (compatibility mode) */

	lgdt gdt64_pointer32
	ljmp $GDT_KERNEL_CODE, $long_mode_low

.Lno_multiboot2:
	mov $msg_no_multiboot2, %esi
	jmp boot_fail32
.Lno_cpuid:
	mov $msg_no_cpuid, %esi
	jmp boot_fail32
.Lno_long_mode:
	mov $msg_no_long_mode, %esi
	jmp boot_fail32
.Lno_nx:
	mov $msg_no_nx, %esi
	jmp boot_fail32
	.size _start32, . - _start32

/* Fills the early tables described at the top of this file. Tables are zero on entry.
 * Clobbers EAX, ECX, EDX. */
	.type build_early_page_tables, @function
build_early_page_tables:
	mov $p3_identity, %eax
	or $(PTE_PRESENT | PTE_WRITABLE), %eax
	mov %eax, p4_table
	mov $p3_high, %eax
	or $(PTE_PRESENT | PTE_WRITABLE), %eax
	mov %eax, p4_table + 511 * 8

	/* p3_identity[i] -> p2_tables + i * 4 KiB, i = 0..3 */
	mov $p2_tables, %eax
	or $(PTE_PRESENT | PTE_WRITABLE), %eax
	xor %ecx, %ecx
1:	mov %eax, p3_identity(, %ecx, 8)
	add $PAGE_SIZE, %eax
	inc %ecx
	cmp $4, %ecx
	jne 1b

	/* p3_high[510] -> p2_tables[0] (phys 0..1 GiB), p3_high[511] -> p2_tables[1] */
	mov $p2_tables, %eax
	or $(PTE_PRESENT | PTE_WRITABLE), %eax
	mov %eax, p3_high + 510 * 8
	add $PAGE_SIZE, %eax
	mov %eax, p3_high + 511 * 8

	/* 2048 P2 entries: entry i maps physical i * 2 MiB (bits 32+ of the address are
	 * i >> 11, in the entry's high dword). */
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE), %eax
	mov %eax, p2_tables(, %ecx, 8)
	mov %ecx, %edx
	shr $11, %edx
	mov %edx, p2_tables + 4(, %ecx, 8)
	inc %ecx
	cmp $(4 * ENTRIES_PER_TABLE), %ecx
	jne 2b
	ret
	.size build_early_page_tables, . - build_early_page_tables

/* First 64-bit instructions, still at a low address through the identity map: jump to
 * the higher half with an absolute address. EDI = the multiboot2 information address,
 * zero-extended (the upper halves of registers are undefined after the mode switch;
 * a 32-bit move clears them). */
	.code64
long_mode_low:
	movl %esi, %edi
	movabs $start64, %rax
	jmp *%rax

	.section .boot.rodata, "a"
msg_no_multiboot2:
	.asciz "not loaded by a multiboot2 boot loader (EAX != 0x36d76289)"
msg_no_cpuid:
	.asciz "this CPU has no CPUID instruction"
msg_no_long_mode:
	.asciz "this CPU does not support 64-bit long mode (x86_64)"
msg_no_nx:
	.asciz "this CPU does not support the NX (no-execute) page bit"

	.section .boot.bss, "aw", @nobits
	.balign PAGE_SIZE
p4_table:
	.skip PAGE_SIZE
p3_identity:
	.skip PAGE_SIZE
p3_high:
	.skip PAGE_SIZE
p2_tables:
	.skip 4 * PAGE_SIZE
boot_stack32:
	.skip PAGE_SIZE
boot_stack32_top:
