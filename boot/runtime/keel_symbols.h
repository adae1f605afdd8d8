/* Layout of the kernel's line and function tables. qemu/line-table.mjs generates a C file
 * defining these from the first link's DWARF and symbol table; qemu/build-image.sh links it
 * into the final image (boot/runtime/keel_symbols.c looks addresses up in it). */
#ifndef KEEL_SYMBOLS_H
#define KEEL_SYMBOLS_H

#include <stdint.h>

/* Line rows are sorted by offset; a row covers its offset up to the next row's. File index
 * and line are packed: line in bits 0..19, file in bits 20..31; line 0 = no source
 * (a gap between functions or after the last one). */
struct keel_line_row {
    uint32_t offset;    /* from keel_symbols_base */
    uint32_t file_line;
};
#define KEEL_LINE_BITS 20
#define KEEL_LINE_MASK ((1u << KEEL_LINE_BITS) - 1)

/* Function symbols sorted by offset, each [offset, offset + size). */
struct keel_function_row {
    uint32_t offset;
    uint32_t size;
    const char *name;
};

extern const uint64_t keel_symbols_base;      /* __text_start at generation */
extern const uint32_t keel_line_row_count;
extern const struct keel_line_row keel_line_rows[];
extern const uint32_t keel_line_file_count;
extern const char *const keel_line_files[];
extern const uint32_t keel_function_row_count;
extern const struct keel_function_row keel_function_rows[];

#endif
