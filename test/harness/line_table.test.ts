// The compact line table (qemu/line_table.ts, boot/runtime/keel_symbols.c): rows in blocks of
// 32, all but each block's first as varint deltas. Any sorted rows (lines going up and down,
// files changing, offsets far apart, line 0 gaps) decode to exactly the rows encoded; the
// kernel's C decoder is checked against the host symbolizer at real fault addresses in
// test/qemu/faults.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLineRows, encodeLineRows } from '../../qemu/line_table.ts';

const row = fc.tuple(fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: (1 << 20) - 1 }));

describe('compact line table', () => {
  it('decodes to the rows it encoded', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 200 }), (steps) => {
        let offset = 0;
        const rows = steps.map(([gap, file, line]): [number, number, number] => [(offset += gap), file, line]);
        const { blocks, stream } = encodeLineRows(rows);
        expect(blocks.length).toBe(Math.ceil(rows.length / 32));
        expect(decodeLineRows(blocks, stream, rows.length)).toEqual(rows);
      }),
    );
  });

  it('takes about 2 bytes a row for code-like rows (small offset and line steps, one file)', () => {
    const rows: Array<[number, number, number]> = [];
    for (let i = 0; i < 3200; i++) rows.push([i * 9, 7, 100 + (i % 11) - 5]);
    const { blocks, stream } = encodeLineRows(rows);
    expect(stream.length + blocks.length * 12).toBeLessThan(rows.length * 8 / 3);
  });
});
