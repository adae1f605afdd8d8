// Single-owner values (AllocatedPages, AllocatedFrames, MappedPages). keelc proves at compile
// time that no second reference to one exists (compiler/src/ownership.ts), so C lays them out
// in place (a local, a field, an array slot) and moves them by copy, with no heap object and
// no run-time liveness flag; JavaScript keeps references, which nothing can tell apart.
import type { u32 } from "./int";

/** Base of every owned class. A consumed object is never reachable again (checked by keelc). */
export abstract class Owned {
  /** Gives the resources back to their allocator; consumes the object. */
  abstract release(this: Consumed<Owned>): void;

  /**
   * `using` calls this at scope exit: the object is released there. A forward, so always
   * inlined: a `using` costs what the release costs (a SpinGuard's is a few instructions).
   * @inline
   */
  [Symbol.dispose](this: Consumed<Owned>): void {
    this.release();
  }
}

/**
 * Marks a parameter that takes ownership: `map(pages: Consumed<AllocatedPages>, …)`; as the
 * type of `this` (`release(this: Consumed<X>)`) it marks a method that consumes its object.
 * keelc rejects any use of a local after it was passed to such a parameter, returned or
 * assigned away (a move, as in Rust); TypeScript sees plain `T`. A parameter of an owned
 * type without Consumed borrows the value (C passes a pointer to where it lives).
 */
export type Consumed<T extends Owned> = T;

/** Moves the value out of `slots[i]`, leaving null behind (Rust's `Option::take`). */
export function take<T extends Owned>(slots: (T | null)[], i: u32): T | null {
  const value = slots[i];
  slots[i] = null;
  return value;
}
