/* Guarded calls for the in-kernel test watchdog (kernel/lib/ktap.ts):
 *
 *   bool keel_runGuarded(void (*body)(void));   calls body; false when it returns
 *   _Noreturn void keel_abandonGuarded(void);    unwinds to the running keel_runGuarded,
 *                                                which then returns true
 *
 * As setjmp/longjmp, but the jump target is this function's own frame: keel_runGuarded
 * saves the callee-saved registers and RFLAGS on its stack and the stack pointer in
 * guard_rsp; keel_abandonGuarded (called from the timer interrupt, on the same stack, or
 * from body itself) restores them and returns from keel_runGuarded. To C both are plain
 * calls that return once, as the SysV ABI describes, so no `returns_twice` is needed.
 * Restoring RFLAGS re-enables interrupts that the interrupt gate cleared. */

	.cfi_sections .debug_frame

	.section .text, "ax"
	.code64
	.globl keel_runGuarded
	.type keel_runGuarded, @function
keel_runGuarded:
	.cfi_startproc
	pushq %rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq                          /* RSP is 16-byte aligned again: 7 quadwords since the call */
	cmpq $0, guard_rsp(%rip)
	jne 2f                          /* already inside a guarded call */
	movq %rsp, guard_rsp(%rip)
	call *%rdi
	movq $0, guard_rsp(%rip)
	xorl %eax, %eax
	jmp 1f
	.globl keel_abandonGuarded
	.type keel_abandonGuarded, @function
keel_abandonGuarded:
	movq guard_rsp(%rip), %rsp
	testq %rsp, %rsp
	jz 2f                           /* no guarded call to abandon */
	movq $0, guard_rsp(%rip)
	movl $1, %eax
1:	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	.cfi_def_cfa %rsp, 8
	ret
2:	ud2                             /* a nested guarded call, or nothing to abandon: a kernel bug */
	.cfi_endproc
	.size keel_runGuarded, . - keel_runGuarded

	.section .bss, "aw", @nobits
	.balign 8
guard_rsp:
	.quad 0
