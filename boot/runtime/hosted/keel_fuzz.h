/* The hosted runtime built as a fuzzing library (-DKEEL_FUZZ, keel_hosted.c): what
 * test/fuzz/driver.c needs to run one input after another in one process. */
#ifndef KEEL_FUZZ_H
#define KEEL_FUZZ_H
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* qemuExit/haltForever longjmp here with the exit status (never 0). */
extern jmp_buf keel_fuzz_jump;
/* Frees every object and all simulated memory of the input just run. */
void keel_fuzz_reset(void);
/* Stores the `size` bytes at `data` into simulated memory at `addr` (a page at a time). */
void keel_fuzz_store_bytes(uint64_t addr, const uint8_t *data, size_t size);
/* Loads outside [first, end) abort from now on (end 0: no window). */
void keel_fuzz_window(uint64_t first, uint64_t end);
/* The last line the program wrote to COM1 (its panic message, when it panicked). */
const char *keel_fuzz_last_line(void);

#endif
