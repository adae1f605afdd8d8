/* The kernel symbolizer: source file, line and function of a code address, by binary
 * search in the tables generated at build time (keel_symbols.h). Runs in fault handlers:
 * no allocation, no locks, and any address is safe to ask about. */
#include "keel_runtime.h"
#include "keel_symbols.h"

/* Reads one LEB128 varint at *at (the generator wrote every byte it reads: no bound check
 * beyond the row count). */
static uint32_t next_varint(const uint8_t **at) {
    uint32_t n = 0;
    for (uint32_t shift = 0;; shift += 7) {
        uint8_t b = *(*at)++;
        n |= (uint32_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0 || shift >= 28) return n;
    }
}

/* The packed file and line of the last row at or below addr; false when none. */
static bool line_row_of(uint64_t addr, uint32_t *file_line) {
    if (addr < keel_symbols_base || addr - keel_symbols_base > UINT32_MAX || keel_line_row_count == 0) return false;
    uint32_t offset = (uint32_t)(addr - keel_symbols_base);
    uint32_t blocks = (keel_line_row_count + KEEL_LINE_BLOCK_ROWS - 1) / KEEL_LINE_BLOCK_ROWS;
    int64_t lo = 0, hi = (int64_t)blocks - 1, found = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (keel_line_blocks[mid].offset <= offset) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) return false;
    const struct keel_line_block *b = &keel_line_blocks[found];
    uint32_t row_offset = b->offset;
    uint32_t file = b->file_line >> KEEL_LINE_BITS;
    uint32_t line = b->file_line & KEEL_LINE_MASK;
    const uint8_t *at = &keel_line_deltas[b->deltas];
    uint64_t first = (uint64_t)found * KEEL_LINE_BLOCK_ROWS;
    for (uint64_t row = first + 1; row < first + KEEL_LINE_BLOCK_ROWS && row < keel_line_row_count; row++) {
        uint32_t next_offset = row_offset + next_varint(&at);
        if (next_offset > offset) break;
        uint32_t word = next_varint(&at);
        uint32_t zigzag = word >> 1;
        line = (zigzag & 1) ? line - (zigzag >> 1) - 1 : line + (zigzag >> 1);
        if (word & 1) file = next_varint(&at);
        row_offset = next_offset;
    }
    *file_line = (file << KEEL_LINE_BITS) | (line & KEEL_LINE_MASK);
    return true;
}

const char *keel_sourceFileOf(uint64_t addr) {
    uint32_t packed;
    if (!line_row_of(addr, &packed)) return "";
    uint32_t file = packed >> KEEL_LINE_BITS;
    if ((packed & KEEL_LINE_MASK) == 0 || file >= keel_line_file_count) return "";
    return keel_line_files[file];
}

uint32_t keel_sourceLineOf(uint64_t addr) {
    uint32_t packed;
    if (!line_row_of(addr, &packed)) return 0;
    return packed & KEEL_LINE_MASK;
}

/* The function row holding addr, or 0. */
static const struct keel_function_row *function_of(uint64_t addr) {
    if (addr < keel_symbols_base || addr - keel_symbols_base > UINT32_MAX) return 0;
    uint32_t offset = (uint32_t)(addr - keel_symbols_base);
    int64_t lo = 0, hi = (int64_t)keel_function_row_count - 1, found = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (keel_function_rows[mid].offset <= offset) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) return 0;
    const struct keel_function_row *f = &keel_function_rows[found];
    return offset - f->offset < f->size ? f : 0;
}

const char *keel_functionNameOf(uint64_t addr) {
    const struct keel_function_row *f = function_of(addr);
    return f ? f->name : "";
}

uint64_t keel_functionStartOf(uint64_t addr) {
    const struct keel_function_row *f = function_of(addr);
    return f ? keel_symbols_base + f->offset : 0;
}

bool keel_sourceIsTypeScript(uint64_t addr) {
    const char *file = keel_sourceFileOf(addr);
    size_t n = 0;
    while (file[n] != 0) n++;
    return n > 3 && file[n - 3] == '.' && file[n - 2] == 't' && file[n - 1] == 's';
}
