// x86_64 4-level paging: page-table entries and flags, the mapper that edits a set of
// tables, the one walk every lookup uses, and MappedPages, the owned result of mapping. Imports kernel/mm/addr and alloc.
export {
  ENTRIES_PER_TABLE, ENTRY_ACCESSED, ENTRY_ADDRESS_MASK, ENTRY_CACHE_DISABLE, ENTRY_COUNT_MASK, ENTRY_COUNT_ONE, ENTRY_DIRTY, ENTRY_FLAG_BITS, ENTRY_GLOBAL, ENTRY_HUGE, ENTRY_HUGE_1G_ADDRESS_MASK,
  ENTRY_HUGE_2M_ADDRESS_MASK, ENTRY_NO_EXECUTE, ENTRY_PRESENT, ENTRY_SIZE, ENTRY_USER, ENTRY_WRITABLE, ENTRY_WRITE_THROUGH, TABLE_ENTRY_FLAGS, entryAddress,
  entryCount, entryFrame, isHuge, isPresent,
} from "./entry";
export { PageFlags } from "./flags";
export { MapError, MapResult, MapStatus, Mapper, Translation, mapErrorName } from "./mapper";
export { mapHugePage, mapHugeRange, unmapHugePage, unmapHugeRange } from "./huge";
export { MappedPages } from "./mapped_pages";
export { PageTable } from "./table";
export { FLUSH_ALL_PAGES, setRemoteFlush } from "./remote_flush";
export { LEVEL_P1, LEVEL_P2, LEVEL_P3, LEVEL_P4, NO_SLOT, TableWalk, walk } from "./walk";
