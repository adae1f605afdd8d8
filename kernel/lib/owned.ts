// Single-owner objects (AllocatedPages, AllocatedFrames, MappedPages). keelc rejects use of
// a local after it was moved; at run time this base keeps an explicit alive flag so a
// released or moved object panics on use in both executions alike.
import type { bool } from "./int";
import { panic } from "./panic";

/** Base of every owned class. Invariant: a dead object is never used again. */
export abstract class Owned {
  private alive: bool = true;

  /** True until the object is consumed (released or moved into another owner). */
  isAlive(): bool {
    return this.alive;
  }

  /** Panics if this object was already consumed; `what` names the operation. */
  protected checkAlive(what: string): void {
    if (!this.alive) panic(`${what}: object was already released or moved`);
  }

  /** Marks this object consumed; panics on a second consume (double release). */
  protected consume(what: string): void {
    this.checkAlive(what);
    this.alive = false;
  }

  /** Gives the resources back to their allocator; consumes the object. */
  abstract release(): void;

  /** `using` calls this at scope exit: release unless already consumed. */
  [Symbol.dispose](): void {
    if (this.alive) this.release();
  }
}

/**
 * Marks a parameter that takes ownership: `map(pages: Consumed<AllocatedPages>, …)`.
 * keelc rejects any use of a local after it was passed to such a parameter, returned or
 * assigned away (a move, as in Rust); TypeScript sees plain `T`.
 */
export type Consumed<T extends Owned> = T;
