/* CPU exception entry: one stub per vector 0..31, a common path that saves every
 * general-purpose register and calls the kernel's TypeScript handler, and the storage the
 * kernel fills in at start (kernel/arch/x86_64/): the IDT, a GDT with a 64-bit TSS
 * descriptor, the TSS, the double-fault IST stack, and the page table that turns the page
 * below the boot stack into a guard page.
 *
 * Frame the handler receives (RDX = its address, the lowest saved register):
 *   +0   r15   +8   r14   +16  r13   +24  r12   +32  r11   +40  r10   +48  r9    +56  r8
 *   +64  rbp   +72  rdi   +80  rsi   +88  rdx   +96  rcx   +104 rbx   +112 rax
 *   +120 vector   +128 error code (0 when the CPU pushes none)
 *   +136 rip   +144 cs   +152 rflags   +160 rsp   +168 ss     (pushed by the CPU)
 * Keep in step with the FRAME_* offsets in kernel/arch/x86_64/exceptions.ts. */
#include "boot.h"

/* The TypeScript handler (kernel/arch/x86_64/exceptions.ts):
 * handleException(vector: u64, errorCode: u64, frame: u64): void
 * Weak: kernels that never install the IDT (test/kernels/triple_fault.ts) do not link
 * exceptions.ts, and these stubs are then unreachable. */
#define HANDLER arch_x86_64_exceptions__handleException
	.weak HANDLER

	/* Call-frame information for debuggers only (as entry64.S). */
	.cfi_sections .debug_frame

/* Stub for a vector whose exception pushes no error code: push 0 in its place. */
.macro STUB_NOERR vector
	.balign 16
exception_stub_\vector:
	pushq $0
	pushq $\vector
	jmp exception_common
.endm

/* Stub for a vector whose exception pushes an error code. */
.macro STUB_ERR vector
	.balign 16
exception_stub_\vector:
	pushq $\vector
	jmp exception_common
.endm

	.section .text, "ax"
	.code64
	STUB_NOERR 0	/* #DE divide error */
	STUB_NOERR 1	/* #DB debug */
	STUB_NOERR 2	/* NMI */
	STUB_NOERR 3	/* #BP breakpoint */
	STUB_NOERR 4	/* #OF overflow */
	STUB_NOERR 5	/* #BR bound range */
	STUB_NOERR 6	/* #UD invalid opcode */
	STUB_NOERR 7	/* #NM device not available */
	STUB_ERR   8	/* #DF double fault (error code always 0) */
	STUB_NOERR 9	/* coprocessor segment overrun (reserved) */
	STUB_ERR   10	/* #TS invalid TSS */
	STUB_ERR   11	/* #NP segment not present */
	STUB_ERR   12	/* #SS stack-segment fault */
	STUB_ERR   13	/* #GP general protection */
	STUB_ERR   14	/* #PF page fault */
	STUB_NOERR 15	/* reserved */
	STUB_NOERR 16	/* #MF x87 floating-point error */
	STUB_ERR   17	/* #AC alignment check */
	STUB_NOERR 18	/* #MC machine check */
	STUB_NOERR 19	/* #XM SIMD floating-point */
	STUB_NOERR 20	/* #VE virtualization */
	STUB_ERR   21	/* #CP control protection */
	STUB_NOERR 22
	STUB_NOERR 23
	STUB_NOERR 24
	STUB_NOERR 25
	STUB_NOERR 26
	STUB_NOERR 27
	STUB_NOERR 28	/* #HV hypervisor injection */
	STUB_ERR   29	/* #VC VMM communication */
	STUB_ERR   30	/* #SX security */
	STUB_NOERR 31
	/* The legacy PIC's 16 interrupt lines, remapped to vectors 32..47
	 * (kernel/arch/x86_64/interrupts.ts): the same path, no error code. */
	.irp vector, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	STUB_NOERR \vector
	.endr
	/* Inter-processor interrupts (kernel/smp/shootdown.ts): 48 the TLB shootdown (and
	 * wake-up), 49 the local APIC's spurious vector. */
	STUB_NOERR 48
	STUB_NOERR 49

/* Saves the registers (layout at the top of this file) and calls the handler. The CPU
 * aligned RSP to 16 bytes before its pushes; 22 quadwords later it is still aligned, as
 * the SysV ABI wants at a call. The handler's frame chain starts from the interrupted
 * code's RBP, so debuggers and the kernel's backtrace continue into it. */
	.type exception_common, @function
exception_common:
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_def_cfa %rsp, 7 * 8
	.cfi_offset %rip, -5 * 8
	.cfi_offset %rsp, -2 * 8
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.cfi_adjust_cfa_offset 15 * 8
	cld
	mov 15 * 8(%rsp), %rdi          /* vector */
	mov 16 * 8(%rsp), %rsi          /* error code */
	mov %rsp, %rdx                  /* frame */
	movabs $HANDLER, %rax           /* absolute: a weak undefined symbol is 0 */
	test %rax, %rax
	jz 1f
	call *%rax
	/* The handler returned: resume the interrupted code. */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	add $16, %rsp                   /* vector and error code */
	iretq
1:	cli                             /* no handler linked: stop */
	hlt
	jmp 1b
	.cfi_endproc
	.size exception_common, . - exception_common

/* Deliberately executes an undefined instruction (#UD): keel_ud2 in keel_runtime.h. */
	.globl keel_ud2
	.type keel_ud2, @function
keel_ud2:
	ud2
	.size keel_ud2, . - keel_ud2

/* bool keel_probeRead(uint64_t addr): reads 8 bytes at addr, true; when the read faults,
 * the page-fault handler (kernel/arch/x86_64/exceptions.ts) sees the rip keel_probe_fault
 * and resumes at keel_probe_fixup, which returns false (Linux's exception table, one entry). */
	.globl keel_probeRead, keel_probe_fault, keel_probe_fixup
	.type keel_probeRead, @function
keel_probeRead:
keel_probe_fault:
	movq (%rdi), %rax
	movl $1, %eax
	ret
keel_probe_fixup:
	xorl %eax, %eax
	ret
	.size keel_probeRead, . - keel_probeRead

/* The stubs' addresses, indexed by vector 0..49 (keel_exceptionStubAddress). */
	.section .rodata, "a"
	.balign 8
	.globl keel_exception_stubs
keel_exception_stubs:
	.irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49
	.quad exception_stub_\vector
	.endr

/* The kernel's GDT: the boot GDT's code and data descriptors at the same selectors (so
 * no segment register needs reloading), then a 16-byte TSS descriptor that the kernel
 * fills in (selector 0x18). Writable: `ltr` sets the busy bit in the descriptor. */
	.section .data, "aw"
	.balign 16
	.globl keel_gdt, keel_gdt_end
keel_gdt:
	.quad 0
	.quad 0x00209B0000000000        /* GDT_KERNEL_CODE: present, DPL 0, exec/read, accessed, L=1 */
	.quad 0x0000930000000000        /* GDT_KERNEL_DATA: present, DPL 0, read/write, accessed */
	.quad 0, 0                      /* TSS descriptor (two slots), filled in at start */
keel_gdt_end:

	.section .bss, "aw", @nobits
/* 256 gates of 16 bytes. */
	.balign PAGE_SIZE
	.globl keel_idt
keel_idt:
	.skip 256 * 16

/* A 4 KiB page table that replaces the 2 MiB page holding the boot stack's guard page. */
	.balign PAGE_SIZE
	.globl keel_guard_page_table
keel_guard_page_table:
	.skip PAGE_SIZE

/* The 64-bit TSS (104 bytes; only the IST pointers and the I/O map base are used). */
	.balign 16
	.globl keel_tss
keel_tss:
	.skip 104

/* The double-fault handler's stack (IST1): a fault on a broken kernel stack still gets
 * a good stack to report from. */
	.balign PAGE_SIZE
/* Its guard page: the kernel's own page tables leave it unmapped (kernel/boot/memory_init.ts),
 * so overflowing the double-fault stack faults instead of overwriting what lies below. */
	.globl keel_double_fault_stack_guard
keel_double_fault_stack_guard:
	.skip PAGE_SIZE
	.globl keel_double_fault_stack_bottom, keel_double_fault_stack_top
keel_double_fault_stack_bottom:
	.skip 16 * 1024
keel_double_fault_stack_top:
