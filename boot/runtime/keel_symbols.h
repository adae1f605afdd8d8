/* Layout of the kernel's line and function tables. qemu/line-table.mjs generates a C file
 * defining these from the first link's DWARF and symbol table; qemu/build-image.sh links it
 * into the final image (boot/runtime/keel_symbols.c looks addresses up in it). */
#ifndef KEEL_SYMBOLS_H
#define KEEL_SYMBOLS_H

#include <stdint.h>

/* Line rows are sorted by offset; a row covers its offset up to the next row's. File index
 * and line are packed: line in bits 0..19, file in bits 20..31; line 0 = no source
 * (a gap between functions or after the last one). They are stored in blocks of
 * KEEL_LINE_BLOCK_ROWS rows (qemu/line_table.ts, encodeLineRows): a block's first row in
 * full here, the others in keel_line_deltas from `deltas`, each as LEB128 varints: the
 * offset's increase, then (the line's change, zigzag-coded) * 2 + (1 if the file
 * changes), then the new file index if it does. About 2.8 bytes a row instead of 8, block index included. */
struct keel_line_block {
    uint32_t offset;    /* of the block's first row, from keel_symbols_base */
    uint32_t file_line; /* of the block's first row */
    uint32_t deltas;    /* index in keel_line_deltas of the block's second row */
};
#define KEEL_LINE_BLOCK_ROWS 32
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
extern const struct keel_line_block keel_line_blocks[];
extern const uint8_t keel_line_deltas[];
extern const uint32_t keel_line_file_count;
extern const char *const keel_line_files[];
extern const uint32_t keel_function_row_count;
extern const struct keel_function_row keel_function_rows[];

#endif
