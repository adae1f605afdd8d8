// The boot banner: who we are and what GRUB told us.
import type { u64 } from "../lib/int";
import { print, println } from "../lib/console";
import { hex } from "../lib/fmt";
import { printTagString } from "./multiboot2";
import type { BootInfo } from "./boot_info";

/** Prints the banner with the bootloader's name and command line. */
export function printBanner(info: BootInfo): void {
  println("Keel kernel core: TypeScript compiled by keelc, x86_64");
  println(`boot information at ${hex(info.address)}, ${info.size} bytes`);
  printStringTag(info.bootloaderNameTag(), "bootloader");
  printStringTag(info.commandLineTag(), "command line");
}

/** Prints `label: "text"` for the string tag at `tag`, or `label: (none)` when `tag` is 0. */
function printStringTag(tag: u64, label: string): void {
  print(`${label}: `);
  if (tag === 0n) print("(none)");
  else {
    print("\"");
    printTagString(tag);
    print("\"");
  }
  println("");
}
