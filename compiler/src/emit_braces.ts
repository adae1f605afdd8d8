// What the two backends print alike: C and JavaScript share their curly-brace control flow,
// so statements are printed once here; each backend supplies expressions, declarations,
// assignments, formatting pieces and its per-statement source marker (#line in C).
import { exprTy, type Expr, type FmtPiece, type Stmt } from "./ir";

/** Statement printing shared by emit_c.ts and emit_js.ts. */
export abstract class BraceStatements {
  /** An expression in the backend's language. */
  protected abstract expr(x: Expr): string;
  /** One formatting piece as a call statement (without `;`). */
  protected abstract fmt(piece: FmtPiece): string;
  /** A string literal in the backend's language. */
  protected abstract stringLiteral(s: string): string;
  /** A local declaration (without `;`). */
  protected abstract declareLocal(s: Stmt & { s: "let" }): string;
  /** An assignment as an expression (C and JavaScript both allow that). */
  protected abstract assignment(target: Expr, value: Expr): string;
  /** Name of the program's panicStop function. */
  protected abstract panicStopName(): string;
  /** A line before each statement mapping it to its TypeScript source, or null. */
  protected lineMarker(_line: number, _file: string): string | null {
    return null;
  }

  /** A condition without the parentheses its expression already has: `if (a == b)`, not
   *  `if ((a == b))`, which clang flags (-Wparentheses-equality) as a mistyped assignment. */
  protected cond(x: Expr): string {
    return withoutOuterParens(this.expr(x));
  }

  protected stmts(list: Stmt[], depth: number, file: string, out: string[]): void {
    for (const s of list) this.stmt(s, depth, file, out);
  }

  protected stmt(s: Stmt, depth: number, file: string, out: string[]): void {
    const pad = "  ".repeat(depth);
    const marker = this.lineMarker(s.line, file);
    if (marker !== null) out.push(marker);
    const sub = (body: Stmt[]) => this.stmts(body, depth + 1, file, out);
    switch (s.s) {
      case "let":
        out.push(`${pad}${this.declareLocal(s)};`);
        break;
      case "assign":
        out.push(`${pad}${this.assignment(s.target, s.value)};`);
        break;
      case "expr":
        out.push(`${pad}${this.expr(s.x)};`);
        break;
      case "if":
        out.push(`${pad}if (${this.cond(s.c)}) {`);
        sub(s.then);
        if (s.else) {
          out.push(`${pad}} else {`);
          sub(s.else);
        }
        out.push(`${pad}}`);
        break;
      case "while":
        out.push(`${pad}${this.labelPrefix(s.label)}while (${this.cond(s.c)}) {`);
        sub(s.body);
        this.jumpTarget("continue", s.label, s.body, depth + 1, out);
        out.push(`${pad}}`);
        this.jumpTarget("break", s.label, s.body, depth, out);
        break;
      case "dowhile":
        out.push(`${pad}${this.labelPrefix(s.label)}do {`);
        sub(s.body);
        this.jumpTarget("continue", s.label, s.body, depth + 1, out);
        out.push(`${pad}} while (${this.cond(s.c)});`);
        this.jumpTarget("break", s.label, s.body, depth, out);
        break;
      case "for":
        // The init gets its own block (its scope); the step stays in the for header so
        // that `continue` runs it, as in TypeScript.
        out.push(`${pad}{`);
        this.stmts(s.init, depth + 1, file, out);
        out.push(`${pad}  ${this.labelPrefix(s.label)}for (; ${s.c ? this.expr(s.c) : ""}; ${s.step.map((st) => this.stepExpr(st)).join(", ")}) {`);
        this.stmts(s.body, depth + 2, file, out);
        this.jumpTarget("continue", s.label, s.body, depth + 2, out);
        out.push(`${pad}  }`, `${pad}}`);
        this.jumpTarget("break", s.label, s.body, depth, out);
        break;
      case "break":
        out.push(`${pad}${this.jump("break", s.label)};`);
        break;
      case "continue":
        out.push(`${pad}${this.jump("continue", s.label)};`);
        break;
      case "return":
        if (s.x && !["void", "never"].includes(exprTy(s.x).k)) out.push(`${pad}return ${this.expr(s.x)};`);
        else if (s.x && exprTy(s.x).k === "never") out.push(`${pad}${this.expr(s.x)};`);
        else if (s.x) out.push(`${pad}${this.expr(s.x)};`, `${pad}return;`);
        else out.push(`${pad}return;`);
        break;
      case "block":
        out.push(`${pad}${this.labelPrefix(s.label)}{`);
        sub(s.body);
        out.push(`${pad}}`);
        this.jumpTarget("break", s.label, s.body, depth, out);
        break;
      case "fmt":
        for (const piece of s.pieces) out.push(`${pad}${this.fmt(piece)};`);
        break;
      case "panic":
        this.panicStatement(s, pad, file, out);
        break;
      default:
        throw new Error(`unknown statement '${(s as { s: string }).s}'`);
    }
  }

  /** A panic: its location, the message's pieces, a newline, then panicStop. */
  protected panicStatement(s: Stmt & { s: "panic" }, pad: string, _file: string, out: string[]): void {
    out.push(`${pad}keel_fmt_str(${this.stringLiteral(`panic at ${s.loc}: `)});`);
    for (const piece of s.pieces) out.push(`${pad}${this.fmt(piece)};`);
    out.push(`${pad}keel_fmt_str(${this.stringLiteral("\n")});`, `${pad}${this.panicStopName()}();`);
  }

  /** What stands before a labelled loop or block (`name: ` in JavaScript). */
  protected abstract labelPrefix(label: string | undefined): string;
  /** `break` / `continue`, to the innermost loop or to a labelled statement (without `;`). */
  protected abstract jump(kind: "break" | "continue", label: string | undefined): string;
  /** Where `continue label` lands (the end of a labelled loop's body) or `break label` (after the labelled statement): C's goto targets. */
  protected jumpTarget(_kind: "break" | "continue", _label: string | undefined, _body: Stmt[], _depth: number, _out: string[]): void {}

  /** A for-loop step as an expression. */
  private stepExpr(st: Stmt): string {
    if (st.s === "assign") return this.assignment(st.target, st.value);
    if (st.s === "expr") return this.expr(st.x);
    if (st.s === "block") {
      // An assignment whose target needed temporaries: a statement sequence as an expression.
      const body: string[] = [];
      for (const inner of st.body) {
        if (inner.s === "let") body.push(`${this.declareLocal(inner)};`);
        else body.push(`${this.stepExpr(inner)};`);
      }
      return this.sequenceExpr(body);
    }
    throw new Error(`unexpected for-loop step ${st.s}`);
  }

  /** Statements (each ending in `;`) run as one expression. */
  protected abstract sequenceExpr(stmts: string[]): string;
}

/** True when `body` holds a `break label` / `continue label` (labels are unique per function). */
export function jumpsTo(body: Stmt[], kind: "break" | "continue", label: string): boolean {
  return body.some((s): boolean => {
    switch (s.s) {
      case "break":
      case "continue":
        return s.s === kind && s.label === label;
      case "if":
        return jumpsTo(s.then, kind, label) || (s.else !== null && jumpsTo(s.else, kind, label));
      case "while":
      case "dowhile":
      case "block":
        return jumpsTo(s.body, kind, label);
      case "for":
        return jumpsTo(s.init, kind, label) || jumpsTo(s.body, kind, label);
      default:
        return false;
    }
  });
}

/** `text` without one pair of parentheses around all of it (string and character literals skipped). */
export function withoutOuterParens(text: string): string {
  // JavaScript template literals nest (`${`…`}`), and a GNU C statement expression `({ … })`
  // needs its parentheses: leave both as they are.
  if (!text.startsWith("(") || !text.endsWith(")") || text.startsWith("({") || text.includes("`")) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // Skip the literal, escapes included.
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      // The first parenthesis closes before the end: `(a) == (b)` keeps its parentheses.
      if (depth === 0 && i < text.length - 1) return text;
    }
  }
  return text.slice(1, -1);
}
