// `break label` inside a switch case leaves the labelled loop, also when it is not the
// case's last statement.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let seen: u32 = 0;
  loop: for (let i: u32 = 0; i < 10; i++) {
    switch (i & 3) {
      case 2: {
        if (i > 5) {
          println(`leaving at ${i}`);
          break loop;
        }
        seen += 10;
        break;
      }
      default:
        seen += 1;
    }
  }
  println(`seen=${seen}`);
}
