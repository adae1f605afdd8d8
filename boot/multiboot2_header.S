/* Multiboot2 header (multiboot2 spec, section 3.1). linker.ld places the section
 * .multiboot2_header first in the first loaded segment, so it lies within the first
 * 32 KiB of keel.elf as GRUB requires. No optional tags: GRUB loads the ELF segments at
 * their physical load addresses and enters at the ELF entry point (_start32) in 32-bit
 * protected mode, under BIOS and UEFI alike (without the EFI boot-services tag, GRUB
 * exits boot services first). */

#define MB2_MAGIC        0xE85250D6   /* header magic */
#define MB2_ARCH_I386    0            /* architecture: i386 32-bit protected mode */
#define MB2_TAG_END      0            /* terminating tag type */

	.section .multiboot2_header, "a"
	.balign 8
mb2_header_start:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header_start
	/* magic + arch + length + checksum == 0 (mod 2^32) */
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))

	/* end tag: type 0, flags 0, size 8 (tags are 8-byte aligned) */
	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:
