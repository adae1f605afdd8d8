// Busy waits timed by the 8254 PIT's channel 2 (the speaker channel, gated through port
// 0x61, its output readable there as bit 5): counted in the PIT's own 1.193182 MHz clock,
// so a wait lasts as long whatever the CPU's speed (the TSC's rate is not known here).
// Channel 0 stays with the timer of interrupts.ts. The polling is bounded: a PIT that does
// not count is a named panic, not a hang.
import { u8, type u16, type u64 } from "../../lib/int";
import { inb, outb } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";

const PIT_CHANNEL2: u16 = 0x42;
const PIT_COMMAND: u16 = 0x43;
/** Channel 2, low then high byte, mode 0 (interrupt on terminal count: OUT rises at 0), binary. */
const PIT_CHANNEL2_ONE_SHOT: u8 = 0xb0;
const SPEAKER_PORT: u16 = 0x61;
const SPEAKER_GATE2: u8 = 0x01;
const SPEAKER_DATA: u8 = 0x02;
const SPEAKER_OUT2: u8 = 0x20;
const PIT_HZ: u64 = 1_193_182n;
/** Longest single wait: the 16-bit counter's range (about 54 ms). */
const MAX_STEP_MICROS: u64 = 50_000n;
/** Polls of port 0x61 before concluding that the PIT does not count (far above 54 ms of port reads). */
const MAX_POLLS: u64 = 100_000_000n;

/** Waits `micros` microseconds (at least 1 PIT tick), in steps of at most 50 ms. */
export function delayMicros(micros: u64): void {
  let left: u64 = micros;
  while (left > 0n) {
    const step: u64 = left > MAX_STEP_MICROS ? MAX_STEP_MICROS : left;
    oneShot(step);
    left -= step;
  }
}

/** Waits `micros` (at most MAX_STEP_MICROS) with one count-down of channel 2. */
function oneShot(micros: u64): void {
  let count: u64 = (micros * PIT_HZ) / 1_000_000n;
  if (count === 0n) count = 1n;
  const gateOff: u8 = inb(SPEAKER_PORT) & ~(SPEAKER_GATE2 | SPEAKER_DATA);
  outb(SPEAKER_PORT, gateOff); // gate low: the count holds
  outb(PIT_COMMAND, PIT_CHANNEL2_ONE_SHOT);
  outb(PIT_CHANNEL2, u8(count & 0xffn));
  outb(PIT_CHANNEL2, u8(count >> 8n));
  outb(SPEAKER_PORT, gateOff | SPEAKER_GATE2); // gate high: counts down, speaker stays off
  for (let polls: u64 = 0n; polls < MAX_POLLS; polls++) {
    if ((inb(SPEAKER_PORT) & SPEAKER_OUT2) !== 0) {
      outb(SPEAKER_PORT, gateOff);
      return;
    }
  }
  panic(`PIT channel 2 did not reach 0 after ${MAX_POLLS} polls of port 0x61 (a wait of ${micros} us, count ${count}): no usable PIT`);
}

