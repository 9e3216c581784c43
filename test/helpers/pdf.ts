// The page count of a PDF read from its structure, as a reader finds it: the last trailer's /Root, the
// catalog's /Pages, that page tree's /Count; and the leaf /Page objects, which must agree with it.
export function pdfPageCount(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  if (!text.startsWith('%PDF-')) throw new Error('not a PDF: no %PDF- header');
  const trailer = text.lastIndexOf('trailer');
  const root = /\/Root\s+(\d+)\s+\d+\s+R/.exec(text.slice(trailer))?.[1];
  if (trailer === -1 || root === undefined) throw new Error('no trailer with a /Root (a cross-reference stream PDF is not handled here)');
  const pages = /\/Pages\s+(\d+)\s+\d+\s+R/.exec(object(text, root))?.[1];
  if (pages === undefined) throw new Error('the catalog names no /Pages');
  const count = /\/Count\s+(\d+)/.exec(object(text, pages))?.[1];
  if (count === undefined) throw new Error('the page tree has no /Count');
  const leaves = (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  if (leaves !== Number(count)) throw new Error(`the page tree says ${count} pages, the file holds ${leaves} page objects`);
  return Number(count);
}

function object(text: string, id: string): string {
  const start = new RegExp(`(?:^|\\s)${id}\\s+0\\s+obj\\b`).exec(text);
  if (!start) throw new Error(`object ${id} not found`);
  return text.slice(start.index, text.indexOf('endobj', start.index));
}
