import { compilationError } from './errors.js';
import { tokenize, type Token } from './sql-tokenizer.js';

/** A token, or a parenthesised group of nodes; translation walks this tree instead of raw text. */
export type Node = { type: 'tok'; tok: Token } | { type: 'group'; open: Token; children: Node[] };

/** Builds the parenthesis tree of a statement (comments become spaces, spaces kept). */
export function buildTree(sql: string): Node[] {
  const root: Node[] = [];
  const stack: { open: Token; children: Node[] }[] = [];
  let current = root;
  for (const tok of tokenize(sql)) {
    // A comment separates what is around it: keep it as a space, so dropping it never joins two
    // tokens into one that DuckDB would read differently (`-/**/-` must not become `--`).
    if (tok.kind === 'comment') {
      current.push({ type: 'tok', tok: { kind: 'space', text: ' ', value: ' ', start: tok.start } });
      continue;
    }
    if (tok.kind === 'punct' && tok.text === '(') {
      const group = { open: tok, children: [] as Node[] };
      stack.push({ open: tok, children: current });
      current.push({ type: 'group', open: tok, children: group.children });
      current = group.children;
    } else if (tok.kind === 'punct' && tok.text === ')') {
      const parent = stack.pop();
      if (!parent) throw compilationError(`syntax error at position ${tok.start} unexpected ')'.`, { offset: tok.start });
      current = parent.children;
    } else current.push({ type: 'tok', tok });
  }
  if (stack.length > 0) throw compilationError(`syntax error: unclosed '(' at position ${stack[stack.length - 1]!.open.start}.`);
  return root;
}

/** True when the node is a token of the given kind (and, if given, upper-cased value). */
export function isTok(node: Node | undefined, kind: Token['kind'], value?: string): node is { type: 'tok'; tok: Token } {
  return node?.type === 'tok' && node.tok.kind === kind && (value === undefined || node.tok.value === value);
}

/** True when the node is the (case-insensitive) keyword. */
export function isWord(node: Node | undefined, ...values: string[]): boolean {
  return node?.type === 'tok' && node.tok.kind === 'word' && (values.length === 0 || values.includes(node.tok.value));
}

/** True when the node is the punctuation. */
export function isPunct(node: Node | undefined, text: string): boolean {
  return node?.type === 'tok' && node.tok.kind === 'punct' && node.tok.text === text;
}

/** The nodes without spaces. */
export function sig(nodes: Node[]): Node[] {
  return nodes.filter((n) => !(n.type === 'tok' && n.tok.kind === 'space'));
}

/** Splits nodes at top-level commas. */
export function splitCommas(nodes: Node[]): Node[][] {
  const parts: Node[][] = [[]];
  for (const n of nodes) {
    if (isPunct(n, ',')) parts.push([]);
    else parts[parts.length - 1]!.push(n);
  }
  return parts;
}

/** The source text of nodes, as written. */
export function sourceText(nodes: Node[]): string {
  return nodes.map((n) => (n.type === 'tok' ? n.tok.text : `(${sourceText(n.children)})`)).join('');
}
