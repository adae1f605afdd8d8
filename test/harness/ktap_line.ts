// Classification of one KTAP v1 line (Linux Documentation/dev-tools/ktap.rst).
// Pure and stateless: the tree-building parser in ktap.ts decides what a line means in context.

/** Directives KTAP v1 defines after ` # ` on a result line. */
export const DIRECTIVES = ['SKIP', 'TODO', 'XFAIL', 'TIMEOUT', 'ERROR'] as const;
export type Directive = (typeof DIRECTIVES)[number];

export type KtapLine =
  | { kind: 'version'; indent: number; version: string; noise: string }
  | { kind: 'plan'; indent: number; count: number }
  | {
      kind: 'result';
      indent: number;
      ok: boolean;
      number: number;
      name: string;
      directive?: Directive;
      /** Text after the directive, or after `#` when no known directive follows. */
      comment?: string;
    }
  | { kind: 'diagnostic'; indent: number; text: string }
  | { kind: 'unknown'; indent: number; text: string };

// ktap.rst accepts these three version lines; anything before one on the same line is noise
// (a serial console often has escape codes or a half-written line in front of the header).
const VERSION = /(KTAP version 1|TAP version 1[34])\s*$/;
const PLAN = /^1\.\.(\d+)\s*(#.*)?$/;
const RESULT = /^(ok|not ok) (\d+)(?:\s+(.*))?$/;
const DIAGNOSTIC = /^#\s?(.*)$/;

/** Classifies one serial line (without line ending) as a KTAP construct or unknown. */
export function classifyLine(line: string): KtapLine {
  const indent = line.length - line.trimStart().length;
  const body = line.trim();
  const version = VERSION.exec(body);
  if (version) {
    return { kind: 'version', indent, version: version[1]!, noise: body.slice(0, version.index) };
  }
  const plan = PLAN.exec(body);
  if (plan) return { kind: 'plan', indent, count: Number(plan[1]) };
  const result = RESULT.exec(body);
  if (result) return { indent, ...parseResultTail(result[1] === 'ok', Number(result[2]), result[3] ?? '') };
  const diagnostic = DIAGNOSTIC.exec(body);
  if (diagnostic) return { kind: 'diagnostic', indent, text: diagnostic[1]!.trimEnd() };
  return { kind: 'unknown', indent, text: line };
}

/** Splits `name # DIRECTIVE comment` into its parts; the name never contains `#` (ktap.rst). */
function parseResultTail(ok: boolean, number: number, tail: string) {
  const hash = tail.indexOf('#');
  // TAP producers often write `ok 1 - name`; the dash is punctuation, not part of the name.
  const name = (hash < 0 ? tail : tail.slice(0, hash)).trim().replace(/^-\s+/, '');
  const base = { kind: 'result' as const, ok, number, name };
  if (hash < 0) return base;
  const after = tail.slice(hash + 1).trim();
  const [word = '', ...rest] = after.split(/\s+/);
  const directive = DIRECTIVES.find((d) => d === word.toUpperCase());
  if (directive) {
    const comment = rest.join(' ');
    return comment ? { ...base, directive, comment } : { ...base, directive };
  }
  // An unknown directive falls back to plain ok / not ok (ktap.rst); keep its text.
  return after ? { ...base, comment: after } : base;
}
