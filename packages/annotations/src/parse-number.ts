const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a plain decimal number; returns undefined for anything else (hex, `NaN`, `Infinity`, empty, junk). */
export function parseDecimal(token: string): number | undefined {
  if (!decimal.test(token)) return undefined;
  const value = Number(token);
  return Number.isFinite(value) ? value : undefined;
}

/** Splits a text into lines (LF or CRLF), keeping 1-based line numbers; a missing final newline is fine. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/).map((t, i) => ({ line: i + 1, text: t }));
}
