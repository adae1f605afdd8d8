// CPU exceptions: installExceptionHandlers() sets up the IDT (double faults on their own
// IST stack) and the boot stack's guard page; every exception then reaches
// handleException through boot/exceptions.S, which reports it and stops the kernel:
//
//   exception: page fault (#PF, vector 14)
//     error code 0x2: not present, write, kernel mode
//     address (cr2) 0x555500001000
//     (a line from the page-fault explainer of test builds, when it knows the address)
//     rip 0xffffffff80109a96 test/kernels/page_fault.ts:14 (test_kernels_page_fault__kernelMain+0x16)
//     source test/kernels/page_fault.ts:14 (test_kernels_page_fault__kernelMain)
//     registers ...
//     backtrace:
//       #0 ...
//   panic at test/kernels/page_fault.ts:14: page fault at 0x555500001000: not present, write, kernel mode
//
// The last line has the panic form the harness reads (QEMU exit status 3).
import type { bool, u64 } from "../../lib/int";
import { print, println } from "../../lib/console";
import { hex } from "../../lib/fmt";
import { panicStopQuietly, setPanicHook } from "../../lib/panic";
import { bootStackBottom, bootStackGuard, bootStackTop, load64, probeFaultAddress, probeFixupAddress, readCr2, store64, sourceFileOf, sourceLineOf, functionNameOf } from "../../lib/intrinsics";
import { installIdt, installTss } from "./descriptors";
import { cpuIndexOrBoot } from "../../lib/cpu_index";
import { handleInterrupt, handleIpi, isInterruptVector, isIpiVector } from "./interrupts";
import { guardBootStack, inBootStackGuard } from "./stack_guard";
import { printBacktrace, printCallerBacktrace, printLocation, typeScriptSite } from "./backtrace";

// Byte offsets in the frame boot/exceptions.S passes (see the layout there).
const FRAME_R15: u64 = 0n;
const FRAME_R14: u64 = 8n;
const FRAME_R13: u64 = 16n;
const FRAME_R12: u64 = 24n;
const FRAME_R11: u64 = 32n;
const FRAME_R10: u64 = 40n;
const FRAME_R9: u64 = 48n;
const FRAME_R8: u64 = 56n;
const FRAME_RBP: u64 = 64n;
const FRAME_RDI: u64 = 72n;
const FRAME_RSI: u64 = 80n;
const FRAME_RDX: u64 = 88n;
const FRAME_RCX: u64 = 96n;
const FRAME_RBX: u64 = 104n;
const FRAME_RAX: u64 = 112n;
const FRAME_RIP: u64 = 136n;
const FRAME_CS: u64 = 144n;
const FRAME_RFLAGS: u64 = 152n;
const FRAME_RSP: u64 = 160n;
const FRAME_SS: u64 = 168n;

export const VECTOR_INVALID_OPCODE: u64 = 6n;
export const VECTOR_DOUBLE_FAULT: u64 = 8n;
export const VECTOR_INVALID_TSS: u64 = 10n;
export const VECTOR_SEGMENT_NOT_PRESENT: u64 = 11n;
export const VECTOR_STACK_SEGMENT: u64 = 12n;
export const VECTOR_GENERAL_PROTECTION: u64 = 13n;
export const VECTOR_PAGE_FAULT: u64 = 14n;

// Page-fault error code bits.
const PF_PRESENT: u64 = 1n << 0n;
const PF_WRITE: u64 = 1n << 1n;
const PF_USER: u64 = 1n << 2n;
const PF_RESERVED: u64 = 1n << 3n;
const PF_INSTRUCTION: u64 = 1n << 4n;
const PF_PROTECTION_KEY: u64 = 1n << 5n;
const PF_SHADOW_STACK: u64 = 1n << 6n;
// Selector error code bits (#GP, #TS, #NP, #SS).
const SEL_EXTERNAL: u64 = 1n << 0n;
const SEL_IDT: u64 = 1n << 1n;
const SEL_LDT: u64 = 1n << 2n;

/** Set while an exception is being reported: a second one must not recurse. */
let reporting: bool = false;

/**
 * Test builds: a debug check that may know why a page fault address faults (freed frames
 * unmapped from the direct map, kernel/mm/debug/pagealloc.ts). Called with the fault
 * address, it prints a line of the report (or, with `summary`, the end of the panic line)
 * and returns true when it knows; else it prints nothing and returns false.
 */
let pageFaultExplainer: ((addr: u64, summary: bool) => bool) | null = null;

/** Installs the debug check that explains page fault addresses (see pageFaultExplainer). */
export function setPageFaultExplainer(explain: (addr: u64, summary: bool) => bool): void {
  pageFaultExplainer = explain;
}

/** Asks the explainer about a page fault at `addr`: true when it printed an explanation. */
function explainPageFault(vector: u64, addr: u64, summary: bool): bool {
  const explain = pageFaultExplainer;
  return vector === VECTOR_PAGE_FAULT && explain !== null && explain(addr, summary);
}

/** Sets up exception handling: GDT with TSS, IDT, and the boot stack's guard page. */
export function installExceptionHandlers(): void {
  installTss();
  installIdt();
  guardBootStack();
  // Every panic (panic(), a failed check) prints where it came from, as exceptions do.
  setPanicHook(reportPanic);
}

/** After the panic line: the CPU it happened on (application processors only), then the caller's backtrace. */
function reportPanic(): void {
  const cpu = cpuIndexOrBoot();
  if (cpu !== 0) println(`  on CPU ${cpu}`);
  printCallerBacktrace();
}

/** ` on CPU 2` after an exception's first line on an application processor (the boot CPU's reports stay as they were). */
function printCpuOfException(): void {
  const cpu = cpuIndexOrBoot();
  if (cpu !== 0) print(` on CPU ${cpu}`);
}

/** The exception's name: `page fault`. */
export function exceptionName(vector: u64): string {
  if (vector === 0n) return "divide error";
  if (vector === 1n) return "debug";
  if (vector === 2n) return "non-maskable interrupt";
  if (vector === 3n) return "breakpoint";
  if (vector === 4n) return "overflow";
  if (vector === 5n) return "bound range exceeded";
  if (vector === 6n) return "invalid opcode";
  if (vector === 7n) return "device not available";
  if (vector === 8n) return "double fault";
  if (vector === 9n) return "coprocessor segment overrun";
  if (vector === 10n) return "invalid TSS";
  if (vector === 11n) return "segment not present";
  if (vector === 12n) return "stack-segment fault";
  if (vector === 13n) return "general protection fault";
  if (vector === 14n) return "page fault";
  if (vector === 16n) return "x87 floating-point error";
  if (vector === 17n) return "alignment check";
  if (vector === 18n) return "machine check";
  if (vector === 19n) return "SIMD floating-point exception";
  if (vector === 20n) return "virtualization exception";
  if (vector === 21n) return "control protection exception";
  if (vector === 28n) return "hypervisor injection exception";
  if (vector === 29n) return "VMM communication exception";
  if (vector === 30n) return "security exception";
  return "reserved exception";
}

/** Prints the exception's mnemonic and vector: `#PF, vector 14` (no mnemonic for reserved vectors). */
function printMnemonic(vector: u64): void {
  if (vector === 0n) print("#DE, ");
  else if (vector === 1n) print("#DB, ");
  else if (vector === 2n) print("NMI, ");
  else if (vector === 3n) print("#BP, ");
  else if (vector === 4n) print("#OF, ");
  else if (vector === 5n) print("#BR, ");
  else if (vector === 6n) print("#UD, ");
  else if (vector === 7n) print("#NM, ");
  else if (vector === 8n) print("#DF, ");
  else if (vector === 10n) print("#TS, ");
  else if (vector === 11n) print("#NP, ");
  else if (vector === 12n) print("#SS, ");
  else if (vector === 13n) print("#GP, ");
  else if (vector === 14n) print("#PF, ");
  else if (vector === 16n) print("#MF, ");
  else if (vector === 17n) print("#AC, ");
  else if (vector === 18n) print("#MC, ");
  else if (vector === 19n) print("#XM, ");
  else if (vector === 20n) print("#VE, ");
  else if (vector === 21n) print("#CP, ");
  else if (vector === 28n) print("#HV, ");
  else if (vector === 29n) print("#VC, ");
  else if (vector === 30n) print("#SX, ");
  print(`vector ${vector}`);
}

/** True when the exception pushes a selector error code. */
function hasSelectorErrorCode(vector: u64): bool {
  return vector === VECTOR_INVALID_TSS || vector === VECTOR_SEGMENT_NOT_PRESENT || vector === VECTOR_STACK_SEGMENT ||
    vector === VECTOR_GENERAL_PROTECTION;
}

/** Prints a page-fault error code's bits: `not present, write, kernel mode[, ...]`. */
export function printPageFaultBits(code: u64): void {
  print((code & PF_PRESENT) !== 0n ? "protection violation" : "not present");
  print((code & PF_WRITE) !== 0n ? ", write" : ", read");
  print((code & PF_USER) !== 0n ? ", user mode" : ", kernel mode");
  if ((code & PF_RESERVED) !== 0n) print(", reserved bit set");
  if ((code & PF_INSTRUCTION) !== 0n) print(", instruction fetch");
  if ((code & PF_PROTECTION_KEY) !== 0n) print(", protection key");
  if ((code & PF_SHADOW_STACK) !== 0n) print(", shadow stack");
}

/** Prints a selector error code: `no selector` or `selector 0x18 (GDT index 3)[, external]`. */
export function printSelectorBits(code: u64): void {
  if (code === 0n) {
    print("no selector");
    return;
  }
  const index = code >> 3n;
  if ((code & SEL_IDT) !== 0n) print(`IDT vector ${index}`);
  else print(`selector ${hex(code & 0xfff8n)} (${(code & SEL_LDT) !== 0n ? "LDT" : "GDT"} index ${index})`);
  if ((code & SEL_EXTERNAL) !== 0n) print(", external event");
}

/** Prints the decoded error code of `vector`, without a newline. */
function printErrorBits(vector: u64, code: u64): void {
  if (vector === VECTOR_PAGE_FAULT) printPageFaultBits(code);
  else if (hasSelectorErrorCode(vector)) printSelectorBits(code);
  else if (vector === VECTOR_DOUBLE_FAULT) print("always 0");
  else print("none pushed");
}

function printRegisters(frame: u64): void {
  println(`  rax ${hex(load64(frame + FRAME_RAX))} rbx ${hex(load64(frame + FRAME_RBX))} rcx ${hex(load64(frame + FRAME_RCX))} rdx ${hex(load64(frame + FRAME_RDX))}`);
  println(`  rsi ${hex(load64(frame + FRAME_RSI))} rdi ${hex(load64(frame + FRAME_RDI))} rbp ${hex(load64(frame + FRAME_RBP))} rsp ${hex(load64(frame + FRAME_RSP))}`);
  println(`  r8 ${hex(load64(frame + FRAME_R8))} r9 ${hex(load64(frame + FRAME_R9))} r10 ${hex(load64(frame + FRAME_R10))} r11 ${hex(load64(frame + FRAME_R11))}`);
  println(`  r12 ${hex(load64(frame + FRAME_R12))} r13 ${hex(load64(frame + FRAME_R13))} r14 ${hex(load64(frame + FRAME_R14))} r15 ${hex(load64(frame + FRAME_R15))}`);
  println(`  cs ${hex(load64(frame + FRAME_CS))} ss ${hex(load64(frame + FRAME_SS))} rflags ${hex(load64(frame + FRAME_RFLAGS))}`);
}

/** The one-line summary of the panic line, without a newline. */
function printSummary(vector: u64, code: u64, cr2: u64, overflow: bool): void {
  if (overflow) {
    print(`kernel stack overflow (${exceptionName(vector)}, guard page hit at ${hex(cr2)})`);
    return;
  }
  print(`${exceptionName(vector)}`);
  if (vector === VECTOR_PAGE_FAULT) {
    print(` at ${hex(cr2)}: `);
    printPageFaultBits(code);
    explainPageFault(vector, cr2, true);
  } else if (hasSelectorErrorCode(vector)) {
    print(": ");
    printSelectorBits(code);
  }
}

/**
 * Called by boot/exceptions.S for every exception with the vector, the error code (0 when
 * the CPU pushes none) and the saved-register frame. Reports and stops the kernel; the
 * PIC's interrupt vectors (kernel/arch/x86_64/interrupts.ts) are handled and return.
 */
export function handleException(vector: u64, errorCode: u64, frame: u64): void {
  if (isInterruptVector(vector)) return handleInterrupt(vector);
  if (isIpiVector(vector)) return handleIpi(vector);
  const rip = load64(frame + FRAME_RIP);
  if (vector === VECTOR_PAGE_FAULT && rip === probeFaultAddress() && rip !== 0n) {
    // probeRead's read faulted, as the caller allowed: resume at its fixup, which returns false.
    store64(frame + FRAME_RIP, probeFixupAddress());
    return;
  }
  if (reporting) {
    print(`exception: ${exceptionName(vector)} (`);
    printMnemonic(vector);
    println(`) at rip ${hex(rip)} while reporting an exception`);
    panicStopQuietly();
  }
  reporting = true;
  const rbp = load64(frame + FRAME_RBP);
  const rsp = load64(frame + FRAME_RSP);
  const faultAddress: bool = vector === VECTOR_PAGE_FAULT || vector === VECTOR_DOUBLE_FAULT;
  const cr2: u64 = faultAddress ? readCr2() : 0n;
  // An overflow of the boot stack hits its guard page. The page fault cannot push its
  // frame on the stack that overflowed, so the CPU raises a double fault instead, on IST1.
  const overflow: bool = faultAddress && inBootStackGuard(cr2);

  print(`exception: ${exceptionName(vector)} (`);
  printMnemonic(vector);
  print(")");
  printCpuOfException();
  println("");
  print(`  error code ${hex(errorCode)}: `);
  printErrorBits(vector, errorCode);
  println("");
  if (faultAddress) println(`  address (cr2) ${hex(cr2)}`);
  explainPageFault(vector, cr2, false);
  if (overflow) {
    println(`  kernel stack overflow: ${hex(cr2)} is in the guard page ${hex(bootStackGuard())} below the boot stack ${hex(bootStackBottom())}..${hex(bootStackTop())}`);
  }
  print(`  rip ${hex(rip)} `);
  printLocation(rip);
  println("");
  const site = typeScriptSite(rip, rsp, rbp);
  if (site !== 0n) println(`  source ${sourceFileOf(site)}:${sourceLineOf(site)} (${functionNameOf(site)})`);
  printRegisters(frame);
  printBacktrace(rip, rsp, rbp);
  if (site !== 0n) print(`panic at ${sourceFileOf(site)}:${sourceLineOf(site)}: `);
  else print("panic: ");
  printSummary(vector, errorCode, cr2, overflow);
  println("");
  panicStopQuietly(); // the backtrace is printed above
}
