// Debug checks of memory management in test builds (as Linux's CONFIG_DEBUG_WX and
// DEBUG_PAGEALLOC: freed frames poisoned and unmapped): switched on by enableDebugChecks before memory init.
export { debugChecksEnabled, enableDebugChecks } from "./config";
export { checkNoWritableExecutable, leafEntrySlot, NO_ADDRESS, scanWritableExecutable, WxScan } from "./wx";
export { FramePoison, framesAllocated, framesReleased, POISON, stopPoisoning } from "./pagealloc";
export { explainFault, remappedCount, setDirectMapped, stopUnmapping, unmapFreedFrames, unmappedCount } from "./unmap";
