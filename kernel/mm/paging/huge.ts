// Huge pages through the mapper, typed: the size is part of the types (HugePage<S>,
// HugeFrame<S>, kernel/mm/addr/huge.ts), so a 2 MiB page maps only a 2 MiB frame and the
// alignment was checked when they were made. Generic functions rather than Mapper methods
// (keelc monomorphizes generic functions, not generic methods), one per operation for both
// sizes; the work is the mapper's (mapContiguous, unmapHuge), through the one walk.
import type { HugeFrame, HugeFrameRange, HugePage, HugePageRange, HugeSize } from "../addr";
import type { PageFlags } from "./flags";
import { MapError, MapStatus, type Mapper } from "./mapper";

/** Maps the huge page `page` to the huge frame `frame` of the same size with `flags`. */
export function mapHugePage<S extends HugeSize<S>>(m: Mapper, page: HugePage<S>, frame: HugeFrame<S>, flags: PageFlags): MapStatus {
  return m.mapContiguous(page.start(), frame.start(), 1n, page.sizeInBytes(), flags);
}

/** Maps `pages` to `frames` (the same number of huge chunks of one size), one walk per table: all or nothing. */
export function mapHugeRange<S extends HugeSize<S>>(m: Mapper, pages: HugePageRange<S>, frames: HugeFrameRange<S>, flags: PageFlags): MapStatus {
  if (pages.sizeInHugeChunks() !== frames.sizeInHugeChunks()) return new MapStatus(MapError.SizeMismatch, null);
  const page = pages.start();
  const frame = frames.start();
  if (page === null || frame === null) return new MapStatus(MapError.None, null);
  return m.mapContiguous(page.start(), frame.start(), pages.sizeInHugeChunks(), page.sizeInBytes(), flags);
}

/** Removes the mapping of the huge page `page` (invlpg, the parent table's count kept right); its table stays (see Mapper.prune). */
export function unmapHugePage<S extends HugeSize<S>>(m: Mapper, page: HugePage<S>): MapStatus {
  return m.unmapHuge(page.firstChunk(), page.sizeInBytes());
}

/** Removes the mappings of `pages`; stops at the first that is not a huge page of that size. */
export function unmapHugeRange<S extends HugeSize<S>>(m: Mapper, pages: HugePageRange<S>): MapStatus {
  for (const page of pages) {
    const s = unmapHugePage(m, page);
    if (!s.isOk()) return s;
  }
  return new MapStatus(MapError.None, null);
}
