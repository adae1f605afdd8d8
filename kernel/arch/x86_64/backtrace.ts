// Symbolized backtraces: code addresses to `file:line (function)` through the tables the
// build links into the kernel (qemu/line-table.mjs), and a walk of the RBP frame chain
// (the kernel C is compiled with frame pointers) that only reads memory it has checked.
import type { bool, u8, u32, u64 } from "../../lib/int";
import { print, println } from "../../lib/console";
import { hex } from "../../lib/fmt";
import {
  doubleFaultStackBottom, doubleFaultStackTop, functionNameOf, functionStartOf, kernelTextEnd, kernelTextStart, load64, load8, readRbp, sourceFileOf,
  sourceIsTypeScript, sourceLineOf,
} from "../../lib/intrinsics";
import { inBootStack } from "./stack_guard";

/** Lines of frames printed at most (a run of recursion is one line). */
export const MAX_FRAMES: u32 = 16;
/** Frames walked at most (the boot stack holds a few thousand). */
const MAX_WALK: u32 = 100_000;

/** True when `addr` is inside the kernel's code. */
export function isKernelCode(addr: u64): bool {
  return addr >= kernelTextStart() && addr < kernelTextEnd();
}

/** True when a frame record (saved RBP, return address) at `fp` can be read safely. */
export function isSaneFrame(fp: u64): bool {
  if ((fp & 7n) !== 0n) return false;
  if (inBootStack(fp)) return true;
  return fp >= doubleFaultStackBottom() && fp <= doubleFaultStackTop() - 16n;
}

/** The caller's frame pointer saved in the frame at `fp`, or 0 when the chain ends or is broken. */
export function callerFrame(fp: u64): u64 {
  const next = load64(fp);
  // Frames only go up the stack; RBP = 0 (set by the boot stub) ends the chain.
  if (next <= fp || !isSaneFrame(next)) return 0n;
  return next;
}

/** The return address in the frame at `fp` (a sane frame), or 0 when it is not kernel code. */
export function returnAddress(fp: u64): u64 {
  const ret = load64(fp + 8n);
  return isKernelCode(ret) ? ret : 0n;
}

/** Prints `file:line (function+0xoffset)` for the instruction at `addr`; `?` when unknown. */
export function printLocation(addr: u64): void {
  const line = sourceLineOf(addr);
  if (line === 0) print("?");
  else print(`${sourceFileOf(addr)}:${line}`);
  const start = functionStartOf(addr);
  if (start !== 0n) print(` (${functionNameOf(addr)}+${hex(addr - start)})`);
}

/** Opcode of `push %rbp`, the first instruction of every kernel function's prologue. */
const PUSH_RBP: u8 = 0x55;

/**
 * The return address of a function interrupted inside its prologue, before `mov %rsp, %rbp`
 * (RBP still holds its caller's frame, so the chain would skip the caller), or 0.
 */
export function prologueReturnAddress(rip: u64, rsp: u64): u64 {
  const start = functionStartOf(rip);
  if (start === 0n || (rsp & 7n) !== 0n || !isSaneFrame(rsp & ~15n)) return 0n;
  let slot: u64 = 0n;
  if (rip === start) slot = rsp; // nothing pushed yet
  else if (rip === start + 1n && load8(start) === PUSH_RBP) slot = rsp + 8n; // RBP pushed
  else return 0n;
  const ret = load64(slot);
  return isKernelCode(ret) ? ret : 0n;
}

/**
 * The frame walk (printBacktrace, typeScriptSite): code interrupted at `rip` is frame 0,
 * then the return address of a function caught in its prologue, then the return addresses
 * up the RBP chain. These are the addresses still queued before the chain, and the chain.
 */
let walkFirst: u64 = 0n;
let walkSecond: u64 = 0n;
let walkFp: u64 = 0n;

/** Starts a walk at `rip` (0: start with the chain at `rbp`). */
function walkStart(rip: u64, rsp: u64, rbp: u64): void {
  walkFirst = rip;
  walkSecond = rip === 0n ? 0n : prologueReturnAddress(rip, rsp);
  walkFp = isSaneFrame(rbp) ? rbp : 0n;
}

/** The next code address of the walk, or 0 at its end (a frame that does not look sane ends it). */
function walkNext(): u64 {
  if (walkFirst !== 0n) {
    const a = walkFirst;
    walkFirst = walkSecond;
    walkSecond = 0n;
    return a;
  }
  if (walkFp === 0n) return 0n;
  const ret = returnAddress(walkFp);
  walkFp = ret === 0n ? 0n : callerFrame(walkFp);
  return ret;
}

/**
 * Prints the backtrace of code interrupted at `rip` (stack pointer `rsp`, frame pointer
 * `rbp`); `rip` 0 starts at the frame `rbp` points to. A run of identical frames
 * (recursion) is one line: `#1–#2047 ×2047 0x… file:line (function+0x…) recursion`.
 */
export function printBacktrace(rip: u64, rsp: u64, rbp: u64): void {
  println("  backtrace:");
  walkStart(rip, rsp, rbp);
  let index: u32 = 0;
  let lines: u32 = 0;
  let addr = walkNext();
  while (addr !== 0n) {
    let count: u32 = 1;
    let next = walkNext();
    while (next === addr && index + count < MAX_WALK) {
      count++;
      next = walkNext();
    }
    if (lines === MAX_FRAMES) {
      println("    ... (more frames)");
      return;
    }
    if (count === 1) print(`    #${index} ${hex(addr)} `);
    else print(`    #${index}–#${index + count - 1} ×${count} ${hex(addr)} `);
    // A return address follows its call: name the call (frame 0 of an interruption is the instruction itself).
    printLocation(index === 0 && rip !== 0n ? addr : addr - 1n);
    println(count === 1 ? "" : " recursion");
    lines++;
    index += count;
    if (index >= MAX_WALK) {
      println("    ... (more frames)");
      return;
    }
    addr = next;
  }
}

/** The backtrace of the code calling this function's caller: what a panic prints after its message. */
export function printCallerBacktrace(): void {
  printBacktrace(0n, 0n, readRbp());
}

/**
 * The address to name as the faulting TypeScript code: `rip` when it is TypeScript, else
 * the first call site up the stack that is (a fault inside an intrinsic's C is reported at
 * the TypeScript statement that called it); 0 when there is none.
 */
export function typeScriptSite(rip: u64, rsp: u64, rbp: u64): u64 {
  walkStart(rip, rsp, rbp);
  for (let index: u32 = 0; index < MAX_FRAMES; index++) {
    const addr = walkNext();
    if (addr === 0n) return 0n;
    const site = index === 0 ? addr : addr - 1n;
    if (sourceIsTypeScript(site)) return site;
  }
  return 0n;
}
