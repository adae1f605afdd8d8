// Addresses and 4 KiB chunks of the two address spaces (physical, virtual), their ranges,
// and the kernel's virtual layout. The bottom of kernel/mm/: imports nothing from mm.
export { Address, U64_MAX, isPowerOfTwo } from "./address";
export { CHUNK_SHIFT, CHUNK_SIZE, MAX_CHUNK_NUMBER, Chunk } from "./chunk";
export { Ordered } from "./ordered";
export { ChunkRange } from "./range";
export {
  type HugeFrame, type HugeFrame1G, type HugeFrame2M, type HugeFrameRange, type HugePage, type HugePage1G, type HugePage2M, type HugePageRange, HugeChunk, HugeRange, HugeRangeError,
  HugeRangeResult, HugeSize, SIZE_1GIB, SIZE_2MIB, Size1GiB, Size2MiB, hugeFrames, hugePages,
} from "./huge";
export {
  PHYSICAL_MAX, PhysicalAddress, Frame, FrameRange,
} from "./physical";
export {
  VirtualAddress, Page, PageRange, isCanonicalVirtual,
} from "./virtual";
export {
  ADDRESS_SPACE_LAST, DIRECT_MAP_BASE, DIRECT_MAP_SIZE, HEAP_BASE, HEAP_WINDOW_SIZE, HIGHER_HALF_BASE, HUGE_1G, HUGE_2M, IDENTITY_LIMIT, KERNEL_WINDOW_BASE, TABLE_FRAME_LIMIT,
  PAGES_BASE, directMapAddress, physToVirt,
} from "./layout";
