// The frame allocator: the single allocator of physical frames (one physical memory, so
// one allocator), an instance of the generic ChunkAllocator.
import type { u32 } from "../../lib/int";
import { Allocated, ChunkAllocator } from "./allocator";
import { Frame, FrameRange, PhysicalAddress } from "../addr";

/** Frames owned by one holder: obtainable only from the frame allocator. */
export type AllocatedFrames = Allocated<PhysicalAddress, Frame, FrameRange>;

/** The frame allocator's type. */
export type FrameAllocator = ChunkAllocator<PhysicalAddress, Frame, FrameRange>;

/** Regions each early frame-allocator set holds before the heap exists. */
export const EARLY_FRAME_REGIONS: u32 = 64;

/** The frame allocator. */
export const frameAllocator: FrameAllocator = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("frame allocator", FrameRange.empty(), EARLY_FRAME_REGIONS);
