import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Port I/O on the hosted machines: ports other than COM1's data and line status are
// latches; reads are truncated to their width; with DLAB set, COM1's data port is the
// divisor latch, not output.
import { inb, inl, inw, outb, outl, outw } from "../../../kernel/lib/intrinsics";
import { hex } from "../../../kernel/lib/fmt";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${inb(0x80)} ${inw(0x60)} ${inl(0xcf8)} lsr=${hex(inb(0x3fd))}`);
  outb(0x80, 0xab);
  outw(0x60, 0xbeef);
  outl(0xcf8, 0x8000_f8fc);
  println(`${hex(inb(0x80))} ${hex(inw(0x60))} ${hex(inb(0x60))} ${hex(inl(0xcf8))} ${hex(inw(0xcf8))}`);
  outb(0x3fb, 0x80);
  outb(0x3f8, 0x41);
  outb(0x3fb, 0x03);
  outb(0x3f8, 0x42);
  outb(0x3f8, 0x0a);
  println(`latched=${hex(inb(0x3f8))} lcr=${hex(inb(0x3fb))}`);
  outl(0x3f8, 0x0a43);
  outw(0x3f8, 0x0a44);
}
