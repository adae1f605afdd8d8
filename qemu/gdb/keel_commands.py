# GDB commands for kernel work on Keel (sourced by settings.gdb):
#   kbreak NAME      break at a TypeScript function or method: `kbreak kernelMain`,
#                    `kbreak FrameAllocator.allocate` (keelc names C functions
#                    <module>__<Class>__<method> / <module>__<function>)
#   keel-walk ADDR   walk the live page tables from CR3 for a virtual address: each level's
#                    table frame, index, entry and flags, then the physical address or where
#                    the walk stops (reads guest physical memory through QEMU's gdbstub)
#   keel-frames      the frame allocator's free regions (and its magazine), from its structures
#   keel-pages       the same for the page allocator
#   keel-heap        the kernel heap: window, bytes used, blocks, and its free list
# The allocator and heap commands read the structures keelc laid out (kernel/mm/alloc/,
# kernel/mm/heap/heap.ts), by the TypeScript names the C keeps.
import re

import gdb

MASK64 = (1 << 64) - 1
ADDRESS_MASK = 0x000F_FFFF_FFFF_F000
LEVELS = [("PML4", 39), ("PDPT", 30), ("PD", 21), ("PT", 12)]
FLAG_BITS = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"), (7, "PS"), (8, "G"), (63, "NX")]


def c_symbols_for(name):
    """C function names a TypeScript name may compile to (exact match on the last parts)."""
    parts = name.split(".")
    suffix = "__" + "__".join(parts)
    pattern = re.compile(r"(^|__)" + re.escape("__".join(parts)) + r"$")
    found = set()
    for line in gdb.execute("info functions -q " + re.escape(parts[-1]) + "$", to_string=True).splitlines():
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\(", line)
        if m and (m.group(1).endswith(suffix) or pattern.search(m.group(1))):
            found.add(m.group(1))
    return sorted(found)


class KeelBreak(gdb.Command):
    """kbreak NAME: break at the C functions keelc compiled the TypeScript function or Class.method NAME to."""

    def __init__(self):
        super().__init__("kbreak", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError("usage: kbreak NAME (a TypeScript function, or Class.method)")
        symbols = c_symbols_for(name)
        if not symbols:
            raise gdb.GdbError("kbreak: no compiled function for '%s' (generic instances are named <name>_<type args>)" % name)
        for s in symbols:
            gdb.Breakpoint(s)


class PhysicalMemory:
    """Reads guest physical memory: QEMU's gdbstub switches with the Qqemu.PhyMemMode packet."""

    def __enter__(self):
        gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
        return self

    def __exit__(self, *exc):
        gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)

    def u64(self, addr):
        data = gdb.selected_inferior().read_memory(addr, 8).tobytes()
        return int.from_bytes(data, "little")


def flags_text(entry):
    return " ".join(name for bit, name in FLAG_BITS if entry >> bit & 1) or "-"


def walk(va, cr3, read):
    """Lines describing the walk of `va` from the table at `cr3`, with `read(phys) -> u64`."""
    lines = []
    table = cr3 & ADDRESS_MASK
    for depth, (name, shift) in enumerate(LEVELS):
        index = (va >> shift) & 0x1FF
        entry = read(table + index * 8)
        lines.append("%-4s p%#x[%3d] = %#018x  %s" % (name, table, index, entry, flags_text(entry)))
        if not entry & 1:
            lines.append("not mapped: the %s entry is not present" % name)
            return lines
        if name != "PT" and entry & (1 << 7):
            size_shift = shift
            base = entry & ADDRESS_MASK & ~((1 << size_shift) - 1)
            lines.append("-> p%#x (%s page at p%#x)" % (base | (va & ((1 << size_shift) - 1)), {30: "1 GiB", 21: "2 MiB"}[size_shift], base))
            return lines
        table = entry & ADDRESS_MASK
    lines.append("-> p%#x (4 KiB page at p%#x)" % (table | (va & 0xFFF), table))
    return lines


class KeelWalk(gdb.Command):
    """keel-walk ADDR: walk the live page tables (CR3) for the virtual address ADDR."""

    def __init__(self):
        super().__init__("keel-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: keel-walk ADDR")
        va = int(gdb.parse_and_eval(arg)) & MASK64
        top = va >> 47
        if top not in (0, 0x1FFFF):
            raise gdb.GdbError("keel-walk: %#x is not canonical (bits 63..47 must all be equal)" % va)
        cr3 = int(gdb.parse_and_eval("$cr3")) & MASK64
        gdb.write("walk of v%#x from CR3 %#x\n" % (va, cr3))
        with PhysicalMemory() as mem:
            for line in walk(va, cr3, mem.u64):
                gdb.write(line + "\n")


def items(fixed_array):
    """The elements of a FixedArray (kernel/lib/fixed_array.ts) value: its `items` array."""
    return fixed_array["items"]["data"]


def region_list(region_set):
    """(first, last) chunk numbers of a RegionSet, in order: its tree (in order) or its early array."""
    s = region_set.dereference()
    out = []
    if int(s["tree"]) != 0:
        tree = s["tree"].dereference()
        pool = tree["pool"].dereference()
        # NodeStorage's two arrays (kernel/mm/alloc/node_pool.ts): node id's first, last and
        # maxSize at 3 id + 0, 1, 2 of `wide`; its left, right and height likewise in `narrow`.
        wide, narrow = items(pool["wide"]), items(pool["narrow"])
        stack, node = [], int(tree["root"])
        while stack or node != 0:
            while node != 0:
                stack.append(node)
                node = int(narrow[3 * node])
            node = stack.pop()
            out.append((int(wide[3 * node]), int(wide[3 * node + 1])))
            node = int(narrow[3 * node + 1])
    else:
        early = s["early"].dereference()
        firsts, lasts = items(early["firsts"]), items(early["lasts"])
        out = [(int(firsts[i]), int(lasts[i])) for i in range(int(early["count"]))]
    return out


ALLOCATORS = {
    "frames": ("mm_alloc_frame_allocator__frameAllocator", "p", "frames"),
    "pages": ("mm_alloc_page_allocator__pageAllocator", "v", "pages"),
}
SHOWN = 32


class KeelAllocator(gdb.Command):
    """keel-frames / keel-pages: an allocator's free regions, its magazine and its counts."""

    def __init__(self, kind):
        super().__init__("keel-" + kind, gdb.COMMAND_DATA)
        self.symbol, self.prefix, self.unit = ALLOCATORS[kind]

    def invoke(self, arg, from_tty):
        try:
            a = gdb.parse_and_eval(self.symbol)
        except gdb.error:
            raise gdb.GdbError("keel-%s: no %s in this image" % (self.unit, self.symbol))
        if int(a) == 0:
            raise gdb.GdbError("keel-%s: the allocator is not constructed yet (module initialisers have not run)" % self.unit)
        a = a.dereference()
        regions = region_list(a["free"])
        total = sum(last - first + 1 for first, last in regions)
        for first, last in regions[:SHOWN]:
            gdb.write("  [%s%#x..%s%#x] %d %s\n" % (self.prefix, first << 12, self.prefix, ((last + 1) << 12) - 1, last - first + 1, self.unit))
        if len(regions) > SHOWN:
            gdb.write("  ... %d more regions\n" % (len(regions) - SHOWN))
        # One magazine per CPU (null until the CPU's first single-chunk request).
        mags = a["magazines"]
        held, shown = 0, []
        for cpu in range(int(mags["length"])):
            m = mags["data"][cpu]
            if int(m) == 0:
                continue
            m = m.dereference()
            count, chunks = int(m["count"]), items(m["chunks"])
            held += count
            for i in range(min(count, 4 - len(shown))):
                shown.append("CPU %d: %s%#x" % (cpu, self.prefix, int(chunks[i]) << 12))
        reserved_free = int(a["freeReserved"].dereference()["chunks"])
        allocated = int(a["managed"]) - total - reserved_free - held
        gdb.write("%s: %d free in %d regions, %d in the magazines%s, %d allocated\n" % (
            self.unit, total, len(regions), held,
            (" (" + ", ".join(shown) + (", ..." if held > len(shown) else "") + ")") if held else "",
            allocated))


HEAP_BASE = 0xFFFF_C000_0000_0000


class KeelHeap(gdb.Command):
    """keel-heap: the kernel heap's window, bytes and blocks in use, and its free list."""

    def __init__(self):
        super().__init__("keel-heap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        g = lambda name: int(gdb.parse_and_eval("mm_heap_heap__" + name)) & MASK64
        end, used, blocks, head = g("heapEnd"), g("bytesUsed"), g("blocksUsed"), g("freeHead")
        if end == HEAP_BASE:
            gdb.write("heap: not up (nothing mapped at v%#x yet)\n" % HEAP_BASE)
            return
        inferior = gdb.selected_inferior()
        read = lambda addr: int.from_bytes(inferior.read_memory(addr, 8).tobytes(), "little")
        free, free_bytes, b = [], 0, head
        while b != 0 and len(free) < 10000:
            size = read(b) & ~0xF
            free.append((b, size))
            free_bytes += size
            b = read(b + 8)
        gdb.write("heap: v%#x..v%#x (%d bytes mapped), %d bytes used in %d blocks, %d free in %d blocks\n" % (
            HEAP_BASE, end, end - HEAP_BASE, used, blocks, free_bytes, len(free)))
        for addr, size in free[:SHOWN]:
            gdb.write("  free block v%#x: %d bytes\n" % (addr, size))
        if len(free) > SHOWN:
            gdb.write("  ... %d more free blocks\n" % (len(free) - SHOWN))


KeelBreak()
KeelWalk()
KeelAllocator("frames")
KeelAllocator("pages")
KeelHeap()
