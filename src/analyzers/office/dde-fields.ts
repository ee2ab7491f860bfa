/**
 * DDE / DDEAUTO field codes, which make Word run a command when fields update: in WordprocessingML
 * (`w:instrText` runs between `w:fldChar` begin and separate/end, and `w:fldSimple/@w:instr`) and
 * in the text of a binary `WordDocument` stream (field begin 0x13, separator 0x14, end 0x15).
 */
import { localName, walkXml } from './xml-events.js';

const DDE_RE = /^\s*DDE(?:AUTO)?\b/i;
const MAX_FIELDS = 100;
const MAX_FIELD_CHARS = 4096;
/** Bytes of a WordDocument stream searched; document text comes first in real files. */
const MAX_BINARY_SCAN = 32 * 1024 * 1024;

/** DDE field instructions in one WordprocessingML part. */
export function ddeFieldsInXml(xml: string): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  let inInstr = false;
  const keep = (instr: string) => {
    if (found.length < MAX_FIELDS && DDE_RE.test(instr)) found.push(instr.trim().slice(0, MAX_FIELD_CHARS));
  };
  walkXml(xml, {
    open(name, attribs) {
      const local = localName(name);
      if (local === 'fldChar') {
        const type = attribs['w:fldCharType'] ?? attribs.fldCharType;
        if (type === 'begin') stack.push('');
        else if ((type === 'separate' || type === 'end') && stack.length > 0) {
          // A field's instruction ends at its separator; keep the entry so `end` pops the right level.
          const instr = stack[stack.length - 1]!;
          if (instr !== '\0') keep(instr);
          stack[stack.length - 1] = '\0';
          if (type === 'end') stack.pop();
        }
        if (stack.length > 64) stack.shift();
      } else if (local === 'instrText') inInstr = true;
      else if (local === 'fldSimple') keep(attribs['w:instr'] ?? attribs.instr ?? '');
    },
    close(name) {
      if (localName(name) === 'instrText') inInstr = false;
    },
    text(t) {
      if (!inInstr || stack.length === 0) return;
      const top = stack[stack.length - 1]!;
      if (top !== '\0' && top.length < MAX_FIELD_CHARS) stack[stack.length - 1] = top + t;
    },
  });
  return found;
}

/** DDE fields in a binary Word document's text, read as 8-bit and as UTF-16 text (a piece table may hold either). */
export function ddeFieldsInWordBinary(stream: Buffer): string[] {
  const found = new Set<string>();
  const scanned = stream.subarray(0, MAX_BINARY_SCAN);
  for (const text of [scanned.toString('latin1'), scanned.toString('utf16le'), scanned.subarray(1).toString('utf16le')]) {
    let from = 0;
    while (found.size < MAX_FIELDS) {
      const begin = text.indexOf('\x13', from);
      if (begin < 0) break;
      let end = begin + 1;
      while (end < text.length && end - begin < MAX_FIELD_CHARS && text[end] !== '\x14' && text[end] !== '\x15' && text[end] !== '\x13') end++;
      const instr = text.slice(begin + 1, end);
      if (DDE_RE.test(instr)) found.add(instr.trim());
      from = begin + 1;
    }
  }
  return [...found];
}
