// The boot banner: who we are and what GRUB told us.
import type { u32, u64 } from "../lib/int";
import { print, println } from "../lib/console";
import { hex } from "../lib/fmt";
import { findTag, printTagString, TAG_BOOTLOADER_NAME, TAG_COMMAND_LINE, bootInfoSize } from "./multiboot2";

/** Prints the banner with the bootloader's name and command line. */
export function printBanner(bootInfo: u64): void {
  println("Keel kernel core: TypeScript compiled by keelc, x86_64");
  println(`boot information at ${hex(bootInfo)}, ${bootInfoSize(bootInfo)} bytes`);
  printStringTag(bootInfo, TAG_BOOTLOADER_NAME, "bootloader");
  printStringTag(bootInfo, TAG_COMMAND_LINE, "command line");
}

function printStringTag(bootInfo: u64, type: u32, label: string): void {
  const tag: u64 = findTag(bootInfo, type);
  print(`${label}: `);
  if (tag === 0n) print("(none)");
  else {
    print("\"");
    printTagString(tag);
    print("\"");
  }
  println("");
}
