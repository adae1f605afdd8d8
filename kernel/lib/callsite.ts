// Call-site locations, as Rust's #[track_caller]: a parameter typed `CallSite` with the
// default `callSite()` receives the caller's `file:line:col`. keelc fills it in at each
// call; under Node this body reads it from the stack.

/** A `file:line:col` string naming a call site. */
export type CallSite = string;

/** Mapped `file:line:col` by the raw position of the call (call sites are few and fixed). */
const sites = new Map<string, CallSite>();

/** V8's structured stack frame (the kernel's tsconfig has no Node types). */
interface RawFrame {
  getFileName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** V8's stack-trace controls on the Error constructor. */
const V8Error = Error as unknown as { stackTraceLimit: number; prepareStackTrace?: (error: Error, frames: RawFrame[]) => unknown };

/** Default value of a CallSite parameter: where the function was called from. */
export function callSite(): CallSite {
  // Every spinlock acquire takes one, so the common case must be cheap: the raw frames
  // (no formatting, no source-map lookup) give a key, and only a call site seen for the
  // first time pays for a formatted stack. Formatting all of it each time made the
  // allocator's property tests seven times slower once the allocators took locks.
  const limit = V8Error.stackTraceLimit;
  const prepare = V8Error.prepareStackTrace;
  V8Error.stackTraceLimit = 3;
  V8Error.prepareStackTrace = (_error, frames) => frames;
  const frames = new Error().stack as unknown as RawFrame[];
  V8Error.prepareStackTrace = prepare;
  V8Error.stackTraceLimit = limit;
  // [0] is callSite itself, [1] the function with the CallSite parameter, [2] its caller.
  const raw = frames[2];
  const key = raw === undefined ? "" : `${raw.getFileName()}:${raw.getLineNumber()}:${raw.getColumnNumber()}`;
  let site = sites.get(key);
  if (site === undefined) {
    site = formattedCaller();
    sites.set(key, site);
  }
  return site;
}

/** The caller of callSite's caller, from a formatted (source-mapped: TypeScript lines) stack. */
function formattedCaller(): CallSite {
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 4;
  const stack = new Error().stack ?? "";
  V8Error.stackTraceLimit = limit;
  // [0] is formattedCaller, [1] callSite, [2] the function with the CallSite parameter, [3] its caller.
  const frame = stack.split("\n").slice(1)[3] ?? "";
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(frame.trim());
  if (!m) return "<unknown>";
  const file = m[1]!.replace(/^file:\/\//, "");
  const at = file.lastIndexOf("/kernel/");
  return `${at >= 0 ? file.slice(at + 1) : file}:${m[2]}:${m[3]}`;
}
