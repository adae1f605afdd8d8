// Debug checks of memory management in test builds (as Linux's CONFIG_DEBUG_WX and
// DEBUG_PAGEALLOC page poisoning): switched on by enableDebugChecks before memory init.
export { debugChecksEnabled, enableDebugChecks } from "./config";
export { checkNoWritableExecutable, leafEntrySlot, NO_ADDRESS, scanWritableExecutable, WxScan } from "./wx";
export { FramePoison, framesAllocated, framesReleased, POISON } from "./pagealloc";
