// Init order, the middle module.
import type { u32 } from "../../../../kernel/lib/int";
import { B1, B2, bLate } from "./init_b";

export const A1: u32 = B1 + B2;
export const A2: u32 = bLate() * 2;
