/* libFuzzer driver of the kernel's own TypeScript, compiled by keelc to C and linked with the
 * hosted runtime in fuzzing mode (boot/runtime/hosted/keel_hosted.c, -DKEEL_FUZZ), under
 * ASan and UBSan. One driver, two targets (test/fuzz/boot_target.ts, alloc_target.ts), chosen at compile time:
 *
 *   KEEL_FUZZ_BOOT   the input is raw boot information, stored at INPUT_ADDR; the target
 *                    parses it and computes the boot memory picture (kernelMain(INPUT_ADDR))
 *   KEEL_FUZZ_ALLOC  the input is an operation sequence: its length (u64) at INPUT_ADDR,
 *                    its bytes after it (kernelMain(INPUT_ADDR))
 *
 * Every input must end in one of two ways: the target returns (accepted, invariants held),
 * or it panics with a message of its own (rejected: QEMU status 3, "panic at ..." on the
 * last line). Anything else aborts, which libFuzzer reports as a finding: a sanitizer
 * error, a load outside the input, a broken invariant (the target exits with
 * INVARIANT_STATUS), or a panic from a check keelc inserted (overflow, bounds, conversion)
 * or from an internal consistency check, which mean the input got past validation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "keel_runtime.h"
#include "keel_fuzz.h"

#define INPUT_ADDR 0x10000ull
#define PANIC_STATUS 3
/* qemuExit(0x3f) in the targets: a broken invariant. */
#define INVARIANT_STATUS 127

/* Panic messages that are bugs, not rejections: keelc's inserted checks and the boot code's
 * own consistency checks. */
static const char *const BUG_MESSAGES[] = {
    "integer overflow", "does not fit in ", "out of bounds", "division by zero", "shift count", "arena exhausted",
    "RegionList", "boot sweep", "sortU64", "PhysRegion: last", "requested, there are",
};

#ifdef KEEL_FUZZ_BOOT
static uint64_t max3(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t m = a > b ? a : b;
    return m > c ? m : c;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
#if defined(KEEL_FUZZ_BOOT)
    keel_fuzz_store_bytes(INPUT_ADDR, data, size);
    /* The information extends as far as its total_size claims (zero beyond the input). */
    uint64_t total = keel_load32(INPUT_ADDR); /* zero-padded when the input is shorter */
    keel_fuzz_window(INPUT_ADDR, INPUT_ADDR + max3(8, size, total));
#elif defined(KEEL_FUZZ_ALLOC)
    keel_store64(INPUT_ADDR, size);
    keel_fuzz_store_bytes(INPUT_ADDR + 8, data, size);
    keel_fuzz_window(INPUT_ADDR, INPUT_ADDR + 8 + size);
#else
#error "define KEEL_FUZZ_BOOT or KEEL_FUZZ_ALLOC"
#endif
    int status = setjmp(keel_fuzz_jump);
    if (status == 0) {
        keel_start(INPUT_ADDR);
        keel_fuzz_reset();
        return 0; /* accepted, every invariant held */
    }
    const char *line = keel_fuzz_last_line();
    const char *panic = strstr(line, "panic at ");
    int bug = panic == NULL || status != PANIC_STATUS;
    for (size_t i = 0; !bug && i < sizeof BUG_MESSAGES / sizeof BUG_MESSAGES[0]; i++) bug = strstr(panic, BUG_MESSAGES[i]) != NULL;
    if (bug) {
        fprintf(stderr, "keel fuzz: the target stopped with status %d%s: %s\n", status, status == INVARIANT_STATUS ? " (broken invariant)" : "", line);
        abort();
    }
    /* Everything an input allocated is freed before it returns, so libFuzzer's malloc/free
     * balance holds and it does not rerun every new input under the leak checker. */
    keel_fuzz_reset();
    return 0; /* rejected with a message of its own */
}
