// 16550 UART driver for COM1: the kernel's console (make run) and the KTAP channel
// (make test). Polling only; interrupts come later.
import { spinPause } from "../../lib/spin";
import type { bool, u8, u16 } from "../../lib/int";
import { inb, outb } from "../../lib/intrinsics";
import { setConsoleSink } from "../../lib/console";

/** I/O port base of COM1. */
const COM1: u16 = 0x3f8;
// Register offsets from the base (with DLAB=0 unless noted).
const DATA: u16 = 0; // receive/transmit buffer; divisor low byte when DLAB=1
const INTERRUPT_ENABLE: u16 = 1; // divisor high byte when DLAB=1
const FIFO_CONTROL: u16 = 2;
const LINE_CONTROL: u16 = 3;
const MODEM_CONTROL: u16 = 4;
const LINE_STATUS: u16 = 5;

const LCR_DLAB: u8 = 0x80; // divisor latch access
const LCR_8N1: u8 = 0x03; // 8 data bits, no parity, one stop bit
const FCR_ENABLE_CLEAR_14: u8 = 0xc7; // enable FIFOs, clear them, 14-byte threshold
const MCR_DTR_RTS_OUT2: u8 = 0x0b;
const LSR_DATA_READY: u8 = 0x01;
const LSR_TRANSMIT_EMPTY: u8 = 0x20;
const DIVISOR_115200: u8 = 1;

/** Programs COM1 for 115200 8N1 and makes it the console. */
export function serialInit(): void {
  outb(COM1 + INTERRUPT_ENABLE, 0x00);
  outb(COM1 + LINE_CONTROL, LCR_DLAB);
  outb(COM1 + DATA, DIVISOR_115200);
  outb(COM1 + INTERRUPT_ENABLE, 0x00);
  outb(COM1 + LINE_CONTROL, LCR_8N1);
  outb(COM1 + FIFO_CONTROL, FCR_ENABLE_CLEAR_14);
  outb(COM1 + MODEM_CONTROL, MCR_DTR_RTS_OUT2);
  setConsoleSink(serialWriteByte);
}

/** Writes one byte, waiting until the transmitter can take it. */
export function serialWriteByte(byte: u8): void {
  while ((inb(COM1 + LINE_STATUS) & LSR_TRANSMIT_EMPTY) === 0) {
    // The 16550 drains a byte in ~87 µs at 115200 baud; QEMU is immediate.
  }
  outb(COM1 + DATA, byte);
}

/** True when a received byte is waiting. */
export function serialHasByte(): bool {
  return (inb(COM1 + LINE_STATUS) & LSR_DATA_READY) !== 0;
}

/** Reads a received byte, waiting for one. */
export function serialReadByte(): u8 {
  // Polling (the boot CPU runs the console with interrupts off): each turn also serves the
  // TLB shootdowns other CPUs post meanwhile (lib/spin.ts).
  while (!serialHasByte()) spinPause();
  return inb(COM1 + DATA);
}
