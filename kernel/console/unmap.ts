// `unmap ADDR`: unmaps the one page holding ADDR out of the console mapping (mK) that holds
// it. The mapping is split (MappedPages.split, which consumes it) into the pages before, the
// page and the pages after; the page's mapping is released (unmapped, its page and frame
// given back) and the parts before and after stay as handles: the first part keeps the
// mapping's slot, a second part takes a free one.
import { println } from "../lib/console";
import type { u32 } from "../lib/int";
import { take } from "../lib/owned";
import { Page } from "../mm/addr";
import type { MappedPages } from "../mm/paging";
import { freeSlot, type Handles, keepMapping, SLOTS } from "./handles";
import { addressArgument, type Words } from "./words";

/** `unmap ADDR`. */
export function unmap(w: Words, h: Handles): void {
  const va = addressArgument(w, "unmap ADDR (a virtual address in a mapping mK)");
  if (va === null) return;
  const page = Page.containing(va);
  const slot = mappingHolding(h, page);
  if (slot === SLOTS) {
    println(`error: ${page} is in no mapping of the console (map prints them as mK)`);
    return;
  }
  const m = take(h.mapped, slot);
  if (m === null) return; // mappingHolding just found it there
  const range = m.pageRange();
  const inside = !page.equals(range.iterAt(0n)) && !page.equals(range.iterAt(range.sizeInChunks() - 1n));
  if (inside && freeSlot(h.mapped) === SLOTS) {
    h.mapped[slot] = m; // a refused command leaves no trace
    println("error: the pages after it need a mapping handle and every one is in use (free one)");
    return;
  }
  // Before | page..: refused (first is the whole) when the page is the first.
  const low = m.split(page);
  let before: MappedPages | null = null;
  let rest: MappedPages | null = null;
  const lowFirst = low.first;
  const lowSecond = low.second;
  if (lowSecond === null) rest = lowFirst;
  else {
    before = lowFirst;
    rest = lowSecond;
  }
  // page | after..: refused when the page is the last.
  const next = page.next();
  let after: MappedPages | null = null;
  if (next !== null) {
    const high = rest.split(next);
    rest = high.first;
    after = high.second;
  }
  rest.release();
  println(`unmapped ${page}: its page and frame released`);
  const keptBefore = before !== null;
  const keptAfter = after !== null;
  if (before !== null) keepMapping(h, slot, before);
  if (after !== null) keepMapping(h, keptBefore ? freeSlot(h.mapped) : slot, after);
  if (!keptBefore && !keptAfter) println(`m${slot}: nothing left, the handle is free`);
}

/** The slot of the console mapping holding `page`, or SLOTS. */
function mappingHolding(h: Handles, page: Page): u32 {
  for (let i: u32 = 0; i < SLOTS; i++) {
    const m = take(h.mapped, i);
    if (m === null) continue;
    const holds = m.pageRange().containsChunk(page);
    h.mapped[i] = m;
    if (holds) return i;
  }
  return SLOTS;
}
