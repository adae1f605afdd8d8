// The chunk allocators: free and reserved regions of an address space, handed out as
// owned Allocated ranges. The frame allocator and the page allocator are its two
// instances. Imports kernel/mm/addr only.
export { AllocError, AllocResult, Allocated, ChunkAllocator, Halves } from "./allocator";
export { NodePool, NodeStorage } from "./node_pool";
export { EARLY_FRAME_REGIONS, frameAllocator, type AllocatedFrames, type FrameAllocator } from "./frame_allocator";
export { EARLY_PAGE_REGIONS, pageAllocator, type AllocatedPages, type PageAllocator } from "./page_allocator";
