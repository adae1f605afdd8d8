// A spinlock acquired again by the CPU that holds it is a certain deadlock: a named panic
// at the lock, naming the lock and the CPU, before any spin (all three executions agree).
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { SpinLock } from "../../../kernel/sync";
import { setCpuLocal } from "../../../kernel/arch/x86_64/cpu_local";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

function nested(lock: SpinLock): void {
  using inner = lock.acquire();
  println("never reached");
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(1);
  const lock = new SpinLock("table");
  {
    using g = lock.acquire();
    println(`held ${lock.heldByMe()}`);
  }
  using g = lock.acquire();
  println(`again ${lock.heldByMe()}`);
  nested(lock);
}
