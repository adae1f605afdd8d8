// The memory console of `make run`: a line-based shell on COM1 to look at and exercise the
// memory manager (help lists the commands). Imports mm and boot; nothing imports it but main.
import type { u8, u32 } from "../lib/int";
import { print, println } from "../lib/console";
import { readLine } from "./line_editor";
import { Words } from "./words";
import { Handles, releaseAll } from "./handles";
import { Next, runCommand } from "./commands";
import type { BootMemory } from "../boot/regions";

/** Longest line the console reads. */
const LINE_CAPACITY: u32 = 120;

/** Serves the console until `quit`; everything it allocated is released before it returns. */
export function runConsole(mem: BootMemory): void {
  const line: u8[] = new Array<u8>(LINE_CAPACITY).fill(0);
  const words = new Words(line);
  const handles = new Handles();
  println("keel> memory console: help lists the commands");
  while (true) {
    print("keel> ");
    words.split(readLine(line));
    if (runCommand(words, handles, mem) === Next.Quit) {
      releaseAll(handles);
      return;
    }
  }
}

