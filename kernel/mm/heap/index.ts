// The kernel heap: a first-fit heap in its own virtual window, mapped on demand through
// the kernel's page tables; keelc's object storage once registered. Imports addr, alloc, paging.
export {
  heapAlloc, heapBlocksUsed, heapBytesFree, heapBytesMapped, heapBytesUsed, heapCheck, heapChunkCount, heapFree, heapFreeBlocks, heapGrowths, heapIsUp,
  initHeap, objectAlloc,
} from "./heap";
