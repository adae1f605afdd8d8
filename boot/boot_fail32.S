/* Boot failure report in 32-bit protected mode, before any kernel code can run:
 * "keel: boot failed: <reason>" on COM1 (16550 initialised here with port writes) and
 * on the first line of the VGA text buffer, then halt forever. */
#include "boot.h"

/* outb $value to COM1 + register; clobbers AL, DX */
.macro uart_out reg, value
	mov $(COM1 + \reg), %dx
	mov $\value, %al
	outb %al, %dx
.endm

	.section .boot.text, "ax"
	.code32

/* ESI = NUL-terminated reason. Never returns. */
	.globl boot_fail32
	.type boot_fail32, @function
boot_fail32:
	cli
	mov %esi, %ebx
	uart_out UART_IER, 0x00
	uart_out UART_LCR, UART_LCR_DLAB
	uart_out UART_DATA, 0x01            /* divisor 1: 115200 baud */
	uart_out UART_IER, 0x00
	uart_out UART_LCR, UART_LCR_8N1
	uart_out UART_FCR, UART_FCR_ENABLE_CLEAR
	uart_out UART_MCR, UART_MCR_DTR_RTS_OUT2

	mov $VGA_TEXT, %edi
	mov $msg_prefix, %esi
	call fail_puts
	mov %ebx, %esi
	call fail_puts
	mov $msg_newline, %esi
	call fail_puts
1:	cli
	hlt
	jmp 1b
	.size boot_fail32, . - boot_fail32

/* Writes the string at ESI to COM1 and to the VGA cell at EDI (advancing EDI; '\r'
 * and '\n' go to serial only). Clobbers EAX, ECX, EDX, ESI. */
	.type fail_puts, @function
fail_puts:
	lodsb
	test %al, %al
	jz 3f
	mov %al, %ah
	mov $100000, %ecx                   /* bounded wait: a missing UART must not hang us */
	mov $(COM1 + UART_LSR), %dx
1:	inb %dx, %al
	test $UART_LSR_THR_EMPTY, %al
	jnz 2f
	loop 1b
2:	mov %ah, %al
	mov $(COM1 + UART_DATA), %dx
	outb %al, %dx
	cmp $' ', %al
	jb fail_puts
	mov %al, (%edi)
	movb $VGA_ATTR_ERROR, 1(%edi)
	add $2, %edi
	jmp fail_puts
3:	ret
	.size fail_puts, . - fail_puts

	.section .boot.rodata, "a"
msg_prefix:
	.asciz "keel: boot failed: "
msg_newline:
	.asciz "\r\n"
