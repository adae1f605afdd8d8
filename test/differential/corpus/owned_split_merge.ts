// The kernel's chunk allocator with owned allocations in both executions: split hands back
// two halves (or the whole, refused), merge absorbs its operand (or gives it back), release
// consumes; a container (AllocResult, Halves) moves out field by field. 100,000 cycles run
// on a 4 MiB object arena in C: owned values live in place, so nothing accumulates (one
// heap object per cycle would exhaust it and panic).
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { qemuExit } from "../../../kernel/lib/intrinsics";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { Frame, FrameRange, type PhysicalAddress } from "../../../kernel/mm/addr";
import { ChunkAllocator, type Allocated } from "../../../kernel/mm/alloc";

type Frames = Allocated<PhysicalAddress, Frame, FrameRange>;

function frameAt(num: u64): Frame {
  return FrameRange.empty().withNumbers(num, 1n).iterAt(0n);
}

function show(a: ChunkAllocator<PhysicalAddress, Frame, FrameRange>, what: string): void {
  a.flushMagazine();
  println(`${what}: ${a.freeChunks()} free, ${a.allocatedChunks()} allocated, ${a.freeRegionCount(false)} regions`);
}

/** A borrow: reads the caller's allocation where it lives. */
function sizePlus(f: Frames, k: u64): u64 {
  return f.sizeInChunks() + k;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("corpus frames", FrameRange.empty(), 16);
  a.addFree(FrameRange.empty().withNumbers(0x100n, 0x40n));
  show(a, "start");

  const r = a.allocate(8n);
  const f = r.allocated;
  println(`allocate 8: error ${r.error}`);
  if (f === null) return;
  println(`borrowed: ${sizePlus(f, 1n)}`);
  const refused = f.split(f.start());
  println(`split at the start refused: ${refused.second === null}, whole ${refused.first}`);
  const halves = refused.first.split(frameAt(0x103n));
  const low = halves.first;
  const high = halves.second;
  if (high === null) return;
  println(`halves ${low} and ${high}`);
  const other = a.allocate(1n).allocated;
  if (other === null) return;
  const back = high.merge(other);
  println(`merge with the chunk after it: ${back === null ? "absorbed" : "given back"}`);
  if (back !== null) back.release();
  const none = high.merge(low);
  println(`merge of the halves: ${none === null ? "absorbed" : "given back"}, now ${high}`);
  const far = a.allocateAt(frameAt(0x130n).start(), 1n).allocated;
  if (far === null) return;
  const notAdjacent = high.merge(far);
  println(`merge with a far chunk: ${notAdjacent === null ? "absorbed" : "given back"}`);
  if (notAdjacent !== null) notAdjacent.release();
  if (none !== null) none.release();
  high.release();
  show(a, "after split and merge");

  let sum: u64 = bootInfo;
  for (let i: u64 = 0n; i < 100_000n; i++) {
    const g = a.allocate(2n).allocated;
    if (g === null) break;
    const h = g.split(g.end());
    const second = h.second;
    const first = h.first;
    if (second === null) {
      first.release();
      break;
    }
    sum += second.range().firstNumber();
    const rest = first.merge(second);
    if (rest !== null) rest.release();
    first.release();
  }
  println(`100000 cycles, sum ${sum}`);
  show(a, "after the cycles");
  qemuExit(0x10);
}
