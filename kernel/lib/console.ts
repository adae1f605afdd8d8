// The console: where print, println and panic write. lib/ sits below arch/, so the serial
// driver registers itself as the sink at start (arrows point down), and output before
// that is dropped.
//
// Several CPUs print: a line is written whole by one CPU. The first byte of a line takes
// the console's line (a CPU index in an atomic cell, compare-and-swap from "nobody"), the
// newline gives it back; bytes of the same CPU in between (its print pieces, an interrupt
// handler's report, a panic) go straight through. keelc lowers print(`…`) to several
// writes, so the line, not the call, is the unit. A CPU that leaves a line open (the
// console's prompt, waiting for input) keeps others waiting until it ends it.
import type { u8, u32 } from "./int";
import { AtomicU32, LoadOrder, RmwOrder, StoreOrder } from "./atomic";
import { cpuIndexOrBoot } from "./cpu_index";
import { spinPause } from "./spin";

/** No CPU is in the middle of a line. */
const NO_WRITER: u32 = 0;
const NEWLINE: u8 = 10;

let sink: ((byte: u8) => void) | null = null;
/** Index + 1 of the CPU whose line is being written (NO_WRITER between lines); made with the sink (atomic.ts imports this module). */
let lineWriter: AtomicU32 | null = null;

/** Makes `write` the console's byte sink (the serial driver calls this at start, on the boot CPU, before another CPU runs), with a fresh line cell (the fuzz driver frees the objects of each run). */
export function setConsoleSink(write: (byte: u8) => void): void {
  lineWriter = new AtomicU32(NO_WRITER);
  sink = write;
}

/** Writes one byte to the console sink, if there is one, inside the calling CPU's line. */
export function writeByte(byte: u8): void {
  const s = sink;
  const line = lineWriter;
  if (s === null || line === null) return;
  const me: u32 = cpuIndexOrBoot() + 1;
  if (line.load(LoadOrder.Relaxed) !== me) takeLine(line, me);
  s(byte);
  if (byte === NEWLINE) line.store(NO_WRITER, StoreOrder.Release);
}

/** Waits until no other CPU is in the middle of a line, then starts one for CPU index + 1 `me`. */
function takeLine(line: AtomicU32, me: u32): void {
  while (line.compareExchange(NO_WRITER, me, RmwOrder.Acquire) !== NO_WRITER) spinPause();
}

/**
 * Prints a string or template literal. keelc lowers `print(`…`)` to direct writes of each
 * piece (no heap); this body is what Node runs when the kernel is executed as written.
 */
export function print(text: string): void {
  // UTF-8, the bytes keelc writes for the same text (its C string literals are UTF-8).
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) ?? 0;
    if (c > 0xffff) i++; // the second half of a surrogate pair
    if (c < 0x80) writeByte(c);
    else if (c < 0x800) writeByte(0xc0 | (c >> 6));
    else if (c < 0x10000) writeByte(0xe0 | (c >> 12));
    else writeByte(0xf0 | (c >> 18));
    for (let shift = c < 0x800 ? 0 : c < 0x10000 ? 6 : 12; c >= 0x80 && shift >= 0; shift -= 6) writeByte(0x80 | ((c >> shift) & 0x3f));
  }
}

/** Prints a string or template literal and a newline. */
export function println(text: string): void {
  print(text);
  writeByte(NEWLINE);
}
