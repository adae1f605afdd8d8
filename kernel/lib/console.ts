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
  for (let i = 0; i < text.length; i++) writeByte(text.charCodeAt(i) & 0xff);
}

/** Prints a string or template literal and a newline. */
export function println(text: string): void {
  print(text);
  writeByte(10);
}
