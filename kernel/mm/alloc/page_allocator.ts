// The page allocator: the single allocator of virtual pages (one address space, so one
// allocator), an instance of the generic ChunkAllocator.
import type { u32 } from "../../lib/int";
import { Allocated, ChunkAllocator } from "./allocator";
import { Page, PageRange, VirtualAddress } from "../addr";

/** Pages owned by one holder: obtainable only from the page allocator. */
export type AllocatedPages = Allocated<VirtualAddress, Page, PageRange>;

/** The page allocator's type. */
export type PageAllocator = ChunkAllocator<VirtualAddress, Page, PageRange>;

/** Regions each early page-allocator set holds before the heap exists. */
export const EARLY_PAGE_REGIONS: u32 = 64;

/** The page allocator. */
export const pageAllocator: PageAllocator = new ChunkAllocator<VirtualAddress, Page, PageRange>("page allocator", PageRange.empty(), EARLY_PAGE_REGIONS);
