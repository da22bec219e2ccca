import { MetadataParseError } from '../errors.js';

/**
 * A value of Python's literal syntax as read by {@link parsePythonLiteral}: `None` → `null`, `True`/`False`
 * → booleans, ints and floats → numbers, str → string, lists and tuples → arrays, dicts → `Map` (keys keep
 * their type, so `{0: 'open'}` has the number key 0).
 */
export type PyValue = null | boolean | number | string | PyValue[] | Map<PyValue, PyValue>;

/**
 * Parses the `str()` form of a Python value, as Ultralytics writes into ONNX metadata (what Python's
 * `ast.literal_eval` accepts for those values): single/double-quoted strings with backslash escapes
 * (`\\ \' \" \n \t \r \xNN \uNNNN \UNNNNNNNN`, octal), ints, floats, `True`, `False`, `None`, lists,
 * tuples and dicts. `JSON.parse` cannot read these (quotes, `True`, int keys).
 *
 * @throws MetadataParseError `PYTHON_LITERAL_PARSE` naming the offset and, when given, the metadata key.
 * @example parsePythonLiteral("{0: 'open', 1: \"it's\"}") // Map { 0 => 'open', 1 => "it's" }
 */
export function parsePythonLiteral(text: string, key?: string): PyValue {
  const parser = new LiteralParser(text, key);
  const value = parser.value();
  parser.expectEnd();
  return value;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class LiteralParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly key: string | undefined,
  ) {}

  value(): PyValue {
    this.space();
    const ch = this.text[this.pos];
    if (ch === undefined) return this.fail('unexpected end of text');
    if (ch === "'" || ch === '"') return this.string();
    if (ch === '[') return this.sequence(']');
    if (ch === '(') return this.tuple();
    if (ch === '{') return this.dict();
    if (ch === '-' || ch === '+' || ch === '.' || (ch >= '0' && ch <= '9')) return this.number();
    const word = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length;
      return word === 'True' ? true : word === 'False' ? false : null;
    }
    return this.fail(`unexpected ${word === undefined ? `character '${ch}'` : `name '${word}'`}`);
  }

  expectEnd(): void {
    this.space();
    if (this.pos < this.text.length) this.fail(`unexpected trailing text '${this.text.slice(this.pos, this.pos + 10)}'`);
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private consume(ch: string): boolean {
    this.space();
    if (this.text[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private number(): number {
    const match = /^[-+]?\s*(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.pos));
    if (!match) return this.fail('malformed number');
    this.pos += match[0].length;
    const value = Number(match[0].replace(/[_\s]/g, ''));
    if (Number.isNaN(value)) return this.fail(`malformed number '${match[0]}'`);
    return value;
  }

  private string(): string {
    const quote = this.text[this.pos++]!;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos++];
      if (ch === undefined || ch === '\n') return this.fail('unterminated string');
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.text[this.pos++];
      if (esc === undefined) return this.fail('unterminated string');
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) out += simple;
      else if (esc === '\n') continue;
      else if (esc === 'x') out += this.hexEscape(2);
      else if (esc === 'u') out += this.hexEscape(4);
      else if (esc === 'U') out += this.hexEscape(8);
      else if (esc >= '0' && esc <= '7') {
        let digits = esc;
        while (digits.length < 3 && /[0-7]/.test(this.text[this.pos] ?? '')) digits += this.text[this.pos++];
        out += String.fromCodePoint(parseInt(digits, 8));
      } else out += `\\${esc}`; // Python keeps unknown escapes verbatim.
    }
  }

  private hexEscape(length: number): string {
    const digits = this.text.slice(this.pos, this.pos + length);
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) return this.fail(`bad \\x/\\u escape '${digits}'`);
    this.pos += length;
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) return this.fail(`code point ${digits} out of range`);
    return String.fromCodePoint(code);
  }

  private sequence(close: string): PyValue[] {
    this.pos++;
    const items: PyValue[] = [];
    for (;;) {
      if (this.consume(close)) return items;
      items.push(this.value());
      if (this.consume(close)) return items;
      if (!this.consume(',')) return this.fail(`expected ',' or '${close}'`);
    }
  }

  private tuple(): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      if (this.consume(')')) break;
      items.push(this.value());
      if (this.consume(')')) break;
      if (!this.consume(',')) return this.fail("expected ',' or ')'");
      sawComma = true;
    }
    // `(x)` is just x in Python; `(x,)` and `()` are tuples.
    return items.length === 1 && !sawComma ? items[0]! : items;
  }

  private dict(): Map<PyValue, PyValue> {
    this.pos++;
    const map = new Map<PyValue, PyValue>();
    for (;;) {
      if (this.consume('}')) return map;
      const k = this.value();
      if (!this.consume(':')) return this.fail("expected ':' (sets are not supported)");
      map.set(k, this.value());
      if (this.consume('}')) return map;
      if (!this.consume(',')) return this.fail("expected ',' or '}'");
    }
  }

  private fail(reason: string): never {
    const where = this.key === undefined ? '' : ` in metadata '${this.key}'`;
    throw new MetadataParseError('PYTHON_LITERAL_PARSE', `Not a Python literal${where}: ${reason} at offset ${this.pos}`, {
      field: this.key,
      offset: this.pos,
      reason,
      text: this.text.length > 200 ? `${this.text.slice(0, 200)}…` : this.text,
    });
  }
}
