// The run image on four CPUs (issue 12): the MADT lists them, the boot CPU starts the three
// APs through the trampoline, each reports in with its own APIC id, and the trampoline's
// low page is unmapped again (the console's walk through the kernel's tables says so).
// One short boot; `make test-all` adds a machine whose MADT lists disabled CPUs.
import { describe, expect, it } from 'vitest';
import { answer, session, TIMEOUT_MS } from './console_session.ts';

describe('SMP: starting the application processors', () => {
  it('-smp 4: four CPUs in the MADT, all four online, each with its own APIC id', async () => {
    const { text, status } = await session(['walk 0x1000', 'quit'], ['-smp', '4']);
    expect(status, text).toBe(33);
    expect(text, text).toContain('cpus: 4 in the MADT (APIC ids 0,1,2,3; 0 disabled), local APIC at p0xfee00000, 1 I/O APIC\n');
    expect(text, text).toContain('cpus: 4 online (APIC ids 0,1,2,3)\n');
    expect(text, text).not.toContain('did not report in');
    // Under BIOS the first free low frame is 0x1000; mapped while the APs started, not after.
    expect(text, text).toMatch(/cpus: APs started through the trampoline at p0x1000 \(SIPI vector 0x1\) in \d+ TSC ticks, unmapped again\n/);
    expect(answer(text, 'walk 0x1000'), text).toBe('v0x1000: not mapped\n');
  }, TIMEOUT_MS + 30_000);

  // make test-all only (make test's budget): defined there, not skipped here.
  if (process.env.KEEL_TEST_ALL) it('-smp 2,maxcpus=4: the two hot-plug slots are disabled in the MADT and not started', async () => {
    const { text, status } = await session(['quit'], ['-smp', '2,maxcpus=4']);
    expect(status, text).toBe(33);
    expect(text, text).toContain('cpus: 4 in the MADT (APIC ids 0,1; 2 disabled)');
    expect(text, text).toContain('cpus: 2 online (APIC ids 0,1)\n');
  }, TIMEOUT_MS + 30_000);
});
