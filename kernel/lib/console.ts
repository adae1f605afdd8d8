// The console: where print, println and panic write. lib/ sits below arch/, so the serial
// driver registers itself as the sink at start (arrows point down), and output before
// that is dropped.
import type { u8 } from "./int";

let sink: ((byte: u8) => void) | null = null;

/** Makes `write` the console's byte sink (the serial driver calls this at start). */
export function setConsoleSink(write: (byte: u8) => void): void {
  sink = write;
}

/** Writes one byte to the console sink, if there is one. */
export function writeByte(byte: u8): void {
  const s = sink;
  if (s !== null) s(byte);
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
  writeByte(10);
}
