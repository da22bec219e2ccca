/**
 * Finds the 1-based line where each element of the top-level arrays of a JSON document starts (e.g. the
 * `annotations` of a COCO file), so findings can name a line: `JSON.parse` keeps no positions.
 * Assumes the text is valid JSON (parse it first).
 */
export function jsonElementLines(text: string, keys: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
  let line = 1;
  let depth = 0;
  let lastString = '';
  let currentKey: string | undefined; // the top-level key whose array we are in
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const value = text.slice(i + 1, j);
      if (depth === 2 && currentKey !== undefined && expectElement) {
        out[currentKey]!.push(line);
        expectElement = false;
      }
      lastString = value;
      i = j;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (depth === 2 && currentKey !== undefined && expectElement && c !== ']' && c !== ',') {
      out[currentKey]!.push(line);
      expectElement = false;
    }
    if (c === '{' || c === '[') {
      if (depth === 1 && c === '[' && keys.includes(lastString)) {
        currentKey = lastString;
        expectElement = true;
      }
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) currentKey = undefined;
    } else if (c === ',' && depth === 2 && currentKey !== undefined) {
      expectElement = true;
    }
  }
  return out;
}
