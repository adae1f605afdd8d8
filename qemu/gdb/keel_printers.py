# GDB pretty printers for Keel's kernel types, as the kernel prints them: addresses as
# v0x5000 / p0x101000, chunks as Page(v0x5000) / Frame(p0x101000), ranges as
# v0x5000..=v0x7fff (or empty), optionals as null or their value, fixed arrays as their
# elements. keelc names C types <module>__<Class>, so the printers match on the class name.
import re

import gdb

MASK64 = (1 << 64) - 1
CHUNK_SHIFT = 12


def _u64(value):
    return int(value) & MASK64


def _canonical(addr):
    """Bit 47 copied into bits 63..48, as VirtualAddress.canonical does."""
    return addr | 0xFFFF000000000000 if addr & (1 << 47) else addr & 0x0000FFFFFFFFFFFF


def _single_field(value):
    """The one u64 a value class holds (its field name is the class's business)."""
    fields = value.type.strip_typedefs().fields()
    return _u64(value[fields[0].name])


class AddressPrinter:
    def __init__(self, value, virtual):
        self.value, self.virtual = value, virtual

    def to_string(self):
        return ("v" if self.virtual else "p") + hex(_single_field(self.value))


class ChunkPrinter:
    def __init__(self, value, virtual):
        self.value, self.virtual = value, virtual

    def to_string(self):
        start = _single_field(self.value) << CHUNK_SHIFT
        if self.virtual:
            return "Page(v%s)" % hex(_canonical(start))
        return "Frame(p%s)" % hex(start)


class RangePrinter:
    def __init__(self, value, virtual):
        self.value, self.virtual = value, virtual

    def to_string(self):
        first, count = _u64(self.value["first"]), _u64(self.value["count"])
        if count == 0:
            return "empty"
        start, last = first << CHUNK_SHIFT, ((first + count) << CHUNK_SHIFT) - 1
        if self.virtual:
            return "v%s..=v%s" % (hex(_canonical(start)), hex(_canonical(last)))
        return "p%s..=p%s" % (hex(start), hex(last))


class OptionalPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        if not bool(self.value["some"]):
            return "null"
        return str(self.value["value"])


class ArrayPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return "array of %d" % int(self.value["length"])

    def children(self):
        data, length = self.value["data"], int(self.value["length"])
        for i in range(min(length, 512)):
            yield "[%d]" % i, (data + i).dereference()

    def display_hint(self):
        return "array"


_BY_CLASS = [
    (re.compile(r"__VirtualAddress$"), lambda v: AddressPrinter(v, True)),
    (re.compile(r"__PhysicalAddress$"), lambda v: AddressPrinter(v, False)),
    (re.compile(r"__Page$"), lambda v: ChunkPrinter(v, True)),
    (re.compile(r"__Frame$"), lambda v: ChunkPrinter(v, False)),
    (re.compile(r"__PageRange$"), lambda v: RangePrinter(v, True)),
    (re.compile(r"__FrameRange$"), lambda v: RangePrinter(v, False)),
]


class HexPrinter:
    """u64/usize values are mostly addresses, masks and sizes: hex, as the kernel prints them."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        return hex(_u64(self.value))


def lookup(value):
    """The printer for a Keel value, or None."""
    t = value.type.unqualified()
    typedef_name = t.name or ""
    if typedef_name == "uint64_t":
        return HexPrinter(value)
    if typedef_name.startswith("keel_opt_"):
        return OptionalPrinter(value)
    if typedef_name.startswith("keel_array_"):
        return ArrayPrinter(value)
    stripped = t.strip_typedefs()
    if stripped.code != gdb.TYPE_CODE_STRUCT:
        return None
    name = stripped.tag or typedef_name
    for pattern, make in _BY_CLASS:
        if pattern.search(name):
            return make(value)
    return None


gdb.pretty_printers.append(lookup)
