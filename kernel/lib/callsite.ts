// Call-site locations, as Rust's #[track_caller]: a parameter typed `CallSite` with the
// default `callSite()` receives the caller's `file:line:col`. keelc fills it in at each
// call; under Node this body reads it from the stack.

/** A `file:line:col` string naming a call site. */
export type CallSite = string;

/** Default value of a CallSite parameter: where the function was called from. */
export function callSite(): CallSite {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  // [0] is callSite itself, [1] the function with the CallSite parameter, [2] its caller.
  const frame = frames[2] ?? "";
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(frame.trim());
  if (!m) return "<unknown>";
  const file = m[1]!.replace(/^file:\/\//, "");
  const at = file.lastIndexOf("/kernel/");
  return `${at >= 0 ? file.slice(at + 1) : file}:${m[2]}:${m[3]}`;
}
