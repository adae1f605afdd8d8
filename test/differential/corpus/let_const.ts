import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// const/let, block scopes and shadowing, every compound assignment, ++ and --.
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let x: u32 = 100;
  x += 5; println(`+= ${x}`);
  x -= 3; println(`-= ${x}`);
  x *= 7; println(`*= ${x}`);
  x /= 4; println(`/= ${x}`);
  x %= 50; println(`%= ${x}`);
  x <<= 3; println(`<<= ${x}`);
  x >>= 1; println(`>>= ${x}`);
  x &= 0xf0; println(`&= ${x}`);
  x |= 0x0f; println(`|= ${x}`);
  x ^= 0xff; println(`^= ${x}`);
  x++; println(`++ ${x}`);
  x--; x--; println(`-- ${x}`);
  let y: i64 = -1n;
  y *= -9_000_000_000n; println(`y=${y}`);
  {
    const x: i8 = -3;
    println(`inner x=${x}`);
    {
      const x: bool = true;
      println(`inner inner x=${x}`);
    }
  }
  println(`outer x=${x}`);
  const z = x;
  const w = y;
  println(`inferred ${z} ${w}`);
}
