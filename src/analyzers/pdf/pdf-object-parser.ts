/**
 * PDF's object syntax (ISO 32000-1 §7.3) on top of the lexer: numbers, names, strings, arrays,
 * dictionaries, `N G R` references. Nesting is bounded: content deeper than `maxNesting` is
 * skipped without recursion, and values past the budget's count are read but not kept.
 */
import type { Budget } from './pdf-limits.js';
import type { PdfLexer, Token } from './pdf-lexer.js';
import { PDF_NULL, type PdfDict, type PdfValue } from './pdf-values.js';

/** Keywords that end an object: an unterminated array or dictionary stops in front of them. */
const OBJECT_ENDS = new Set(['obj', 'endobj', 'stream', 'endstream', 'xref', 'trailer', 'startxref']);

export class PdfObjectParser {
  constructor(
    readonly lex: PdfLexer,
    private readonly budget: Budget,
  ) {}

  /**
   * The value at the lexer's position, or undefined (the lexer left in place) when the next
   * token does not start one: `]`, `>>`, a keyword such as `endobj`, or the end of the data.
   */
  value(depth = 0): PdfValue | undefined {
    const { lex } = this;
    const start = lex.pos;
    const tok = lex.next();
    switch (tok.t) {
      case 'num':
        return tok.int && tok.v >= 0 ? this.maybeRef(tok.v) : { kind: 'num', value: tok.v };
      case 'name':
        return { kind: 'name', value: tok.v, escaped: tok.escaped };
      case 'str':
        return { kind: 'str', bytes: tok.v };
      case 'punct':
        if (tok.v === '[') return this.array(depth + 1);
        if (tok.v === '<<') return this.dict(depth + 1);
        break;
      case 'kw':
        if (tok.v === 'true' || tok.v === 'false') return { kind: 'bool', value: tok.v === 'true' };
        if (tok.v === 'null') return PDF_NULL;
        break;
      case 'eof':
        break;
    }
    lex.pos = start;
    return undefined;
  }

  /** After a non-negative integer: `N G R` is a reference, anything else leaves the number. */
  private maybeRef(num: number): PdfValue {
    const { lex } = this;
    const save = lex.pos;
    const gen = lex.next();
    if (gen.t === 'num' && gen.int && gen.v >= 0) {
      const r = lex.next();
      if (r.t === 'kw' && r.v === 'R') return { kind: 'ref', num, gen: gen.v };
    }
    lex.pos = save;
    return { kind: 'num', value: num };
  }

  private array(depth: number): PdfValue {
    const items: PdfValue[] = [];
    if (depth > this.budget.limits.maxNesting) {
      this.skipNested();
      return { kind: 'array', items };
    }
    for (;;) {
      if (this.budget.outOfTime()) break;
      const tok = this.peek();
      if (tok.t === 'eof' || (tok.t === 'punct' && tok.v === ']')) {
        this.lex.next();
        break;
      }
      if (this.endsObject(tok)) break;
      const v = this.value(depth);
      if (v === undefined) this.lex.next(); // a stray `>>`, `}` or unknown keyword
      else if (this.budget.takeValue()) items.push(v);
    }
    return { kind: 'array', items };
  }

  private dict(depth: number): PdfValue {
    const entries: PdfDict = new Map();
    if (depth > this.budget.limits.maxNesting) {
      this.skipNested();
      return { kind: 'dict', entries };
    }
    for (;;) {
      if (this.budget.outOfTime()) break;
      const tok = this.peek();
      if (tok.t === 'eof' || (tok.t === 'punct' && tok.v === '>>')) {
        this.lex.next();
        break;
      }
      if (this.endsObject(tok)) break;
      if (tok.t !== 'name') {
        // Not a key: skip it (a whole value if it is one) and look for the next key.
        if (this.value(depth) === undefined) this.lex.next();
        continue;
      }
      this.lex.next();
      const v = this.value(depth) ?? PDF_NULL;
      if (this.budget.takeValue()) entries.set(tok.v, v);
    }
    return { kind: 'dict', entries };
  }

  private peek(): Token {
    const save = this.lex.pos;
    const tok = this.lex.next();
    this.lex.pos = save;
    return tok;
  }

  private endsObject(tok: Token): boolean {
    return tok.t === 'kw' && OBJECT_ENDS.has(tok.v);
  }

  /** Past the container just opened, counting brackets with a loop rather than recursion. */
  private skipNested(): void {
    this.budget.hit.add('nesting');
    const { lex } = this;
    let level = 1;
    while (level > 0 && !this.budget.outOfTime()) {
      const save = lex.pos;
      const tok = lex.next();
      if (tok.t === 'eof') return;
      if (tok.t === 'punct') {
        if (tok.v === '[' || tok.v === '<<') level++;
        else if (tok.v === ']' || tok.v === '>>') level--;
      } else if (this.endsObject(tok)) {
        lex.pos = save;
        return;
      }
    }
  }
}
