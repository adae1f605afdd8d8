// Permissions and cache mode of a mapping: the leaf-entry bits of entry.ts as a value class.
// The kernel's rule: no mapping is both writable and executable (the mapper refuses it).
import type { bool, u64 } from "../../lib/int";
import {
  ENTRY_CACHE_DISABLE, ENTRY_FLAG_BITS, ENTRY_GLOBAL, ENTRY_NO_EXECUTE, ENTRY_PRESENT, ENTRY_USER, ENTRY_WRITABLE, ENTRY_WRITE_THROUGH,
} from "./entry";

/** Flags of a present leaf mapping. A value class of one u64: the entry bits. Present is always set. */
export class PageFlags {
  private readonly bits: u64;

  private constructor(bits: u64) {
    this.bits = (bits & ENTRY_FLAG_BITS) | ENTRY_PRESENT;
  }

  /** Kernel data read-only, no-execute (rodata). */
  static readOnly(): PageFlags {
    return new PageFlags(ENTRY_NO_EXECUTE);
  }

  /** Kernel data read-write, no-execute (data, bss, heap, direct map). */
  static readWrite(): PageFlags {
    return new PageFlags(ENTRY_WRITABLE | ENTRY_NO_EXECUTE);
  }

  /** Kernel code: read and execute, not writable. */
  static readExecute(): PageFlags {
    return new PageFlags(0n);
  }

  /** The flags of a leaf entry's bits (other bits dropped). */
  static fromEntry(entry: u64): PageFlags {
    return new PageFlags(entry);
  }

  /** These flags with writes allowed or not. */
  withWritable(on: bool): PageFlags {
    return new PageFlags(on ? this.bits | ENTRY_WRITABLE : this.bits & ~ENTRY_WRITABLE);
  }

  /** These flags with execution allowed or not. */
  withExecutable(on: bool): PageFlags {
    return new PageFlags(on ? this.bits & ~ENTRY_NO_EXECUTE : this.bits | ENTRY_NO_EXECUTE);
  }

  /** These flags, uncached (PCD and PWT): for device memory. */
  uncached(): PageFlags {
    return new PageFlags(this.bits | ENTRY_CACHE_DISABLE | ENTRY_WRITE_THROUGH);
  }

  /** These flags with the global bit. */
  global(): PageFlags {
    return new PageFlags(this.bits | ENTRY_GLOBAL);
  }

  /** Writes allowed. */
  isWritable(): bool {
    return (this.bits & ENTRY_WRITABLE) !== 0n;
  }

  /** Instruction fetches allowed. */
  isExecutable(): bool {
    return (this.bits & ENTRY_NO_EXECUTE) === 0n;
  }

  /** User mode may access. */
  isUser(): bool {
    return (this.bits & ENTRY_USER) !== 0n;
  }

  /** The bits to put in a leaf entry (with the frame address). */
  entryBits(): u64 {
    return this.bits;
  }

  /** Same bits. */
  equals(other: PageFlags): bool {
    return this.bits === other.entryBits();
  }

  /** `R-X`, `RW-`, `R--`, with ` uncached` / ` global` when set. */
  toString(): string {
    if (this.isWritable() && this.isExecutable()) return "RWX";
    if (this.isWritable()) return (this.bits & ENTRY_CACHE_DISABLE) !== 0n ? "RW- uncached" : "RW-";
    if (this.isExecutable()) return "R-X";
    return "R--";
  }
}
