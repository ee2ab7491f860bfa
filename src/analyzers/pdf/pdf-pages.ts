/**
 * The page count: leaves of the page tree from the catalog's /Pages, walked with a visited set
 * (page trees can be made cyclic) and a node bound; /Count of the root when the walk finds no
 * page (e.g. the tree sits in an encrypted object stream), and /Type /Page objects as a last resort.
 */
import type { PdfDocument } from './pdf-document.js';
import { dictOf, nameOf, numberOf, type PdfDict } from './pdf-values.js';

export function countPages(doc: PdfDocument): number | undefined {
  const pages = dictOf(doc.resolve(catalog(doc)?.get('Pages')));
  if (pages) {
    const walked = walk(doc, pages);
    if (walked > 0) return walked;
    const count = numberOf(doc.resolve(pages.get('Count')));
    if (count !== undefined && Number.isInteger(count) && count >= 0) return count;
  }
  let loose = 0;
  for (const object of doc.objects.values()) if (nameOf(dictOf(object.value)?.get('Type')) === 'Page') loose++;
  return loose > 0 ? loose : pages ? 0 : undefined;
}

/** /Root of the latest trailer that has one, else the latest /Type /Catalog object. */
export function catalog(doc: PdfDocument): PdfDict | undefined {
  for (let i = doc.trailers.length - 1; i >= 0; i--) {
    const root = dictOf(doc.resolve(doc.trailers[i]!.get('Root')));
    if (root) return root;
  }
  let found: { offset: number; dict: PdfDict } | undefined;
  for (const object of doc.objects.values()) {
    const dict = dictOf(object.value);
    if (dict && nameOf(dict.get('Type')) === 'Catalog' && (!found || object.offset >= found.offset)) found = { offset: object.offset, dict };
  }
  return found?.dict;
}

function walk(doc: PdfDocument, root: PdfDict): number {
  const seen = new Set<PdfDict>();
  const stack: PdfDict[] = [root];
  let pages = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    if (seen.size >= doc.budget.limits.maxPageTreeNodes) {
      doc.budget.hit.add('page_tree');
      break;
    }
    seen.add(node);
    const kids = doc.resolve(node.get('Kids'));
    if (kids?.kind === 'array' && nameOf(node.get('Type')) !== 'Page') {
      // Reversed so that pages are visited in document order (not needed for a count, but cheap).
      for (let i = kids.items.length - 1; i >= 0; i--) {
        const kid = dictOf(doc.resolve(kids.items[i]));
        if (kid) stack.push(kid);
      }
    } else if (nameOf(node.get('Type')) !== 'Pages') {
      pages++;
    }
  }
  return pages;
}
