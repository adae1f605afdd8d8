/* The kernel symbolizer: source file, line and function of a code address, by binary
 * search in the tables generated at build time (keel_symbols.h). Runs in fault handlers:
 * no allocation, no locks, and any address is safe to ask about. */
#include "keel_runtime.h"
#include "keel_symbols.h"

/* Index of the last line row at or below addr, or -1. */
static int64_t line_row_of(uint64_t addr) {
    if (addr < keel_symbols_base || addr - keel_symbols_base > UINT32_MAX) return -1;
    uint32_t offset = (uint32_t)(addr - keel_symbols_base);
    int64_t lo = 0, hi = (int64_t)keel_line_row_count - 1, found = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (keel_line_rows[mid].offset <= offset) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

const char *keel_sourceFileOf(uint64_t addr) {
    int64_t row = line_row_of(addr);
    if (row < 0) return "";
    uint32_t packed = keel_line_rows[row].file_line;
    uint32_t file = packed >> KEEL_LINE_BITS;
    if ((packed & KEEL_LINE_MASK) == 0 || file >= keel_line_file_count) return "";
    return keel_line_files[file];
}

uint32_t keel_sourceLineOf(uint64_t addr) {
    int64_t row = line_row_of(addr);
    if (row < 0) return 0;
    return keel_line_rows[row].file_line & KEEL_LINE_MASK;
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
