/**
 * A small streaming view of an XML part (htmlparser2 in XML mode): element opens with their
 * attributes, closes and text, with namespace prefixes kept as written (`w:instrText`).
 */
import { Parser } from 'htmlparser2';

export interface XmlHandler {
  open?(name: string, attribs: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

export function walkXml(xml: string, handler: XmlHandler): void {
  const parser = new Parser(
    {
      onopentag: (name, attribs) => handler.open?.(name, attribs),
      onclosetag: (name) => handler.close?.(name),
      ontext: (text) => handler.text?.(text),
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(xml);
  parser.end();
}

/** The local name of a qualified XML name (`w:instrText` -> `instrText`). */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** The text of each leaf element directly below the document element, keyed by qualified name (docProps). */
export function leafTexts(xml: string, maxKeys = 200): Record<string, string> {
  const out: Record<string, string> = {};
  let depth = 0;
  let current: string | undefined;
  let text = '';
  walkXml(xml, {
    open(name) {
      depth++;
      current = depth === 2 ? name : depth > 2 ? undefined : current;
      if (depth === 2) text = '';
    },
    text(t) {
      if (current && depth === 2) text += t;
    },
    close(name) {
      if (depth === 2 && current === name && Object.keys(out).length < maxKeys) {
        const value = text.trim();
        if (value) out[name] = value.slice(0, 4096);
      }
      if (depth === 2) current = undefined;
      depth--;
    },
  });
  return out;
}
