import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// while, do/while, for with break and continue (continue runs the step), nested loops.
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let i: u32 = 0;
  while (i < 5) { print(`${i} `); i++; }
  println("");
  let j: u8 = 10;
  do { print(`${j} `); j -= 3; } while (j > 3);
  println("");
  do { println("once"); } while (false);
  for (let k: u64 = 0n; k < 20n; k += 3n) {
    if (k === 6n) continue;
    if (k > 15n) break;
    print(`${k} `);
  }
  println("");
  for (let a: i16 = -3; a <= 3; a++) {
    for (let b: i16 = -3; b <= 3; b++) {
      if (b > a) break;
      if ((a + b) % 2 !== 0) continue;
      print(`(${a},${b})`);
    }
  }
  println("");
  let n: u32 = 0;
  for (;;) { n++; if (n === 7) break; }
  println(`n=${n}`);
  let count: u32 = 0;
  while (true) {
    count += 2;
    if (count < 10) continue;
    break;
  }
  println(`count=${count}`);
}
