import { compilationError, SnowflakeSqlError, unsupported } from './errors.js';
import { sqlIdent, sqlString } from './sql-tokenizer.js';
import { buildTree, isPunct, isTok, isWord, sig, sourceText, splitCommas, type Node } from './sql-tree.js';

/** Session values that context functions such as CURRENT_DATABASE() return. */
export interface TranslateSession {
  database: string | null;
  schema: string | null;
  user: string;
  role: string;
  warehouse: string | null;
  sessionId: string;
}

/** A `MODEL(...)!METHOD(...)` call found in the top-level select list. */
export interface ModelCall {
  /** Model name as written (may be qualified). */
  model: string[];
  /** Version or alias name, or null for the default version. */
  version: string | null;
  /** Method name, upper-cased. */
  method: string;
  /** Index of the select item (0-based) that holds the call. */
  column: number;
  /** Number of arguments (the item becomes a struct of them). */
  argCount: number;
}

/** The DuckDB SQL for one Snowflake statement. */
export interface Translation {
  sql: string;
  /** Highest bind index used (`$1`…`$n`). */
  bindCount: number;
  /** Model calls to run on the rows after DuckDB answered. */
  modelCalls: ModelCall[];
  /**
   * Columns declared OBJECT, ARRAY or TIMESTAMP_TZ by CREATE TABLE / ALTER TABLE ADD (DuckDB stores
   * them as JSON / TIMESTAMPTZ, so the Snowflake type is remembered beside the table).
   */
  declaredTypes: Record<string, string>;
}

interface Ctx {
  session: TranslateSession;
  positional: number;
  maxBind: number;
  named: boolean;
  modelAliases: Map<string, { model: string[]; version: string | null }>;
  modelCalls: ModelCall[];
  selectItem: number | null;
  jsonBinds: ReadonlySet<number>;
  declaredTypes: Record<string, string>;
}

const INT_TYPES = new Set(['INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT']);
const FLOAT_TYPES = new Set(['FLOAT', 'FLOAT4', 'FLOAT8', 'DOUBLE', 'REAL']);
const TEXT_TYPES = new Set(['VARCHAR', 'STRING', 'TEXT', 'CHAR', 'CHARACTER', 'NCHAR', 'NVARCHAR', 'NVARCHAR2']);
const DATE_PARTS: Record<string, string> = {
  YEAR: 'YEAR', YEARS: 'YEAR', Y: 'YEAR', YY: 'YEAR', YYYY: 'YEAR', YR: 'YEAR', YRS: 'YEAR',
  QUARTER: 'QUARTER', QUARTERS: 'QUARTER', Q: 'QUARTER', QTR: 'QUARTER',
  MONTH: 'MONTH', MONTHS: 'MONTH', MM: 'MONTH', MON: 'MONTH', MONS: 'MONTH',
  WEEK: 'WEEK', WEEKS: 'WEEK', W: 'WEEK', WK: 'WEEK',
  DAY: 'DAY', DAYS: 'DAY', D: 'DAY', DD: 'DAY',
  HOUR: 'HOUR', HOURS: 'HOUR', H: 'HOUR', HH: 'HOUR', HR: 'HOUR', HRS: 'HOUR',
  MINUTE: 'MINUTE', MINUTES: 'MINUTE', M: 'MINUTE', MI: 'MINUTE', MIN: 'MINUTE', MINS: 'MINUTE',
  SECOND: 'SECOND', SECONDS: 'SECOND', S: 'SECOND', SEC: 'SECOND', SECS: 'SECOND',
  MILLISECOND: 'MILLISECOND', MILLISECONDS: 'MILLISECOND', MS: 'MILLISECOND',
  MICROSECOND: 'MICROSECOND', MICROSECONDS: 'MICROSECOND', US: 'MICROSECOND',
};
/** Words after which a select item ends. */
const CLAUSE_WORDS = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'MINUS', 'INTERSECT', 'WINDOW', 'INTO', 'FETCH']);
const UNSUPPORTED_FUNCTIONS = new Set(['FLATTEN', 'GENERATOR', 'SEQ1', 'SEQ2', 'SEQ4', 'SEQ8', 'SYSTEM$PIPE_STATUS', 'RESULT_SCAN']);

/**
 * Translates one Snowflake statement to DuckDB SQL: unquoted identifiers are upper-cased (Snowflake's
 * rule), Snowflake types and functions are mapped, `?` / `:N` become `$N`, string literals are
 * re-quoted, and unaliased select items are named by their upper-cased text as Snowflake names them.
 */
export function translateStatement(sql: string, session: TranslateSession, jsonBinds: ReadonlySet<number> = new Set()): Translation {
  let nodes = buildTree(sql);
  const ctx: Ctx = { session, positional: 0, maxBind: 0, named: false, modelAliases: new Map(), modelCalls: [], selectItem: null, jsonBinds, declaredTypes: {} };
  nodes = stripModelWith(nodes, ctx);
  const s = sig(nodes);
  const first = s[0]?.type === 'tok' ? s[0].tok.value : '';
  let out: string;
  if (first === 'CREATE' || (first === 'ALTER' && isWord(s[1], 'TABLE'))) out = translateDdl(nodes, ctx);
  else out = translateQuery(nodes, ctx);
  return { sql: out, bindCount: ctx.maxBind, modelCalls: ctx.modelCalls, declaredTypes: ctx.declaredTypes };
}

/** `WITH mv AS MODEL m [VERSION v] [, …] SELECT …`: remember the aliases and drop the clause. */
function stripModelWith(nodes: Node[], ctx: Ctx): Node[] {
  const s = sig(nodes);
  if (!isWord(s[0], 'WITH') || !isWord(s[2], 'AS') || !isWord(s[3], 'MODEL')) return nodes;
  let i = 1;
  const rest: Node[] = [];
  for (;;) {
    const alias = identName(s[i]);
    if (!alias || !isWord(s[i + 1], 'AS') || !isWord(s[i + 2], 'MODEL')) break;
    i += 3;
    const model: string[] = [];
    while (s[i] && (s[i]!.type === 'tok') && !isWord(s[i], 'VERSION', 'SELECT') && !isPunct(s[i], ',')) {
      if (!isPunct(s[i], '.')) model.push(identName(s[i]) ?? '');
      i++;
    }
    let version: string | null = null;
    if (isWord(s[i], 'VERSION')) {
      version = identName(s[i + 1]) ?? null;
      i += 2;
    }
    ctx.modelAliases.set(alias, { model, version });
    if (isPunct(s[i], ',')) {
      i++;
      if (!isWord(s[i + 2], 'MODEL')) {
        // Ordinary CTEs follow: keep them under a fresh WITH.
        rest.push({ type: 'tok', tok: { kind: 'word', text: 'WITH', value: 'WITH', start: 0 } });
        break;
      }
      continue;
    }
    break;
  }
  // Keep the remaining nodes as written (spacing matters for Snowflake's column names).
  const from = s[i] === undefined ? nodes.length : nodes.indexOf(s[i]!);
  const space: Node = { type: 'tok', tok: { kind: 'space', text: ' ', value: ' ', start: 0 } };
  return rest.length > 0 ? [...rest, space, ...nodes.slice(from)] : nodes.slice(from);
}

/** Identifier value of a word or quoted identifier node (words upper-cased). */
export function identName(node: Node | undefined): string | undefined {
  if (node?.type !== 'tok') return undefined;
  return node.tok.kind === 'word' || node.tok.kind === 'quoted-ident' ? node.tok.value : undefined;
}

function translateDdl(nodes: Node[], ctx: Ctx): string {
  const s = sig(nodes);
  const isCreateTable = isWord(s[0], 'CREATE') && s.slice(1, 6).some((n) => isWord(n, 'TABLE'));
  const out: string[] = [];
  let columnGroupDone = false;
  let addColumnType = false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (isWord(n, 'TRANSIENT', 'VOLATILE')) continue;
    if (isCreateTable && !columnGroupDone && n.type === 'group') {
      columnGroupDone = true;
      const before = sig(nodes.slice(0, i));
      // `CREATE TABLE t AS (SELECT …)` keeps the group as a query.
      if (!isWord(before[before.length - 1], 'AS')) {
        out.push(`(${translateColumnDefs(n.children, ctx)})`);
        continue;
      }
    }
    if (isWord(n, 'ADD')) addColumnType = true;
    if (addColumnType && (isTok(n, 'word') || isTok(n, 'quoted-ident')) && !isWord(n, 'ADD', 'COLUMN', 'IF', 'NOT', 'EXISTS')) {
      out.push(emitIdent(n));
      const next = nextSig(nodes, i);
      if (next >= 0) {
        out.push(' ');
        noteDeclared(n, nodes[next], ctx);
        const t = translateType(nodes, next, ctx);
        out.push(t.text);
        i = t.end;
      }
      addColumnType = false;
      continue;
    }
    if (isWord(n, 'AS') && isWord(s[0], 'CREATE')) {
      // CREATE TABLE|VIEW … AS SELECT: the rest is a query.
      out.push(' AS ', translateQuery(nodes.slice(i + 1), ctx));
      return out.join('');
    }
    if (isCreateTable && !columnGroupDone && (isTok(n, 'word') || isTok(n, 'quoted-ident'))) {
      // The table name may touch its column list: `T(A INT)` is not a function call.
      out.push(emitIdent(n));
      continue;
    }
    const r = translateNode(nodes, i, ctx);
    out.push(r.text);
    i = r.end;
  }
  return out.join('');
}

function translateColumnDefs(children: Node[], ctx: Ctx): string {
  return splitCommas(children)
    .map((part) => {
      const s = sig(part);
      if (isWord(s[0], 'PRIMARY', 'CONSTRAINT', 'UNIQUE', 'FOREIGN', 'CHECK')) return translateNodes(part, ctx);
      const nameIndex = part.indexOf(s[0]!);
      const typeIndex = nextSig(part, nameIndex);
      if (typeIndex < 0) return translateNodes(part, ctx);
      const t = translateType(part, typeIndex, ctx);
      noteDeclared(part[nameIndex], part[typeIndex], ctx);
      const rest = part.slice(t.end + 1).filter((n) => !isWord(n, 'COLLATE'));
      return ` ${emitIdent(part[nameIndex]!)} ${t.text}${translateNodes(stripColumnComment(rest), ctx)}`;
    })
    .join(',');
}

const REMEMBERED_TYPES = new Set(['OBJECT', 'ARRAY', 'TIMESTAMP_TZ']);

function noteDeclared(name: Node | undefined, type: Node | undefined, ctx: Ctx): void {
  const column = identName(name);
  const typeName = type?.type === 'tok' && type.tok.kind === 'word' ? type.tok.value : '';
  if (column !== undefined && REMEMBERED_TYPES.has(typeName)) ctx.declaredTypes[column] = typeName;
}

/** Column `COMMENT 'text'` has no DuckDB equivalent in a column definition; it is dropped. */
function stripColumnComment(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (isWord(nodes[i], 'COMMENT')) {
      const j = nextSig(nodes, i);
      if (j >= 0 && (isTok(nodes[j], 'string') || isTok(nodes[j], 'dollar-string'))) {
        i = j;
        continue;
      }
    }
    out.push(nodes[i]!);
  }
  return out;
}

function translateQuery(nodes: Node[], ctx: Ctx): string {
  // Find the top-level SELECT list to name unaliased items and to find model calls.
  const selectAt = nodes.findIndex((n) => isWord(n, 'SELECT'));
  if (selectAt < 0) return translateNodes(nodes, ctx);
  let endAt = nodes.length;
  let previous: Node | undefined;
  for (let i = selectAt + 1; i < nodes.length; i++) {
    if (isWord(nodes[i], ...CLAUSE_WORDS) && !(isWord(nodes[i], 'GROUP') && isWord(previous, 'WITHIN'))) {
      endAt = i;
      break;
    }
    if (!isTok(nodes[i], 'space')) previous = nodes[i];
  }
  const head = translateNodes(nodes.slice(0, selectAt + 1), ctx);
  let listNodes = nodes.slice(selectAt + 1, endAt);
  let prefix = '';
  let s0 = sig(listNodes);
  if (isWord(s0[0], 'DISTINCT', 'ALL')) {
    prefix = ` ${(s0[0] as { tok: { value: string } }).tok.value}`;
    listNodes = listNodes.slice(listNodes.indexOf(s0[0]!) + 1);
    s0 = sig(listNodes);
  }
  // SELECT TOP n … becomes … LIMIT n.
  let limit = '';
  if (isWord(s0[0], 'TOP') && s0[1]?.type === 'tok' && s0[1].tok.kind === 'number') {
    if (nodes.slice(endAt).some((n) => isWord(n, 'LIMIT', 'FETCH'))) throw unsupported('TOP together with LIMIT');
    limit = ` LIMIT ${s0[1].tok.text}`;
    listNodes = listNodes.slice(listNodes.indexOf(s0[1]) + 1);
  }
  const items = splitCommas(listNodes).map((item, index) => translateSelectItem(item, index, ctx));
  const tail = translateNodes(nodes.slice(endAt), ctx);
  return `${head}${prefix} ${items.join(', ')} ${tail}${limit}`;
}

function translateSelectItem(item: Node[], index: number, ctx: Ctx): string {
  const s = sig(item);
  if (s.length === 0) throw compilationError('syntax error: empty select item.');
  ctx.selectItem = index;
  const text = translateNodes(item, ctx);
  ctx.selectItem = null;
  const last = s[s.length - 1];
  const beforeLast = s[s.length - 2];
  const hasAlias =
    s.length >= 2 &&
    (isTok(last, 'word') || isTok(last, 'quoted-ident')) &&
    (isWord(beforeLast, 'AS') || ((isTok(beforeLast, 'word') || isTok(beforeLast, 'quoted-ident') || beforeLast?.type === 'group' || isTok(beforeLast, 'number') || isTok(beforeLast, 'string')) && !isReservedEnd(last) && !isPunct(beforeLast, '.')));
  const plainColumn = s.every((n) => isTok(n, 'word') || isTok(n, 'quoted-ident') || isPunct(n, '.') || isPunct(n, '*'));
  if (hasAlias || plainColumn) return text;
  // Snowflake names an unaliased expression by its text, upper-cased.
  const name = sourceText(item).trim().toUpperCase();
  return `${text} AS "${name.replace(/"/g, '""')}"`;
}

function isReservedEnd(node: Node | undefined): boolean {
  return isWord(node, 'END', 'NULL', 'TRUE', 'FALSE', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP');
}

function translateNodes(nodes: Node[], ctx: Ctx): string {
  const out: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const r = translateNode(nodes, i, ctx);
    out.push(r.text);
    i = r.end;
  }
  return out.join('');
}

function nextSig(nodes: Node[], i: number): number {
  for (let j = i + 1; j < nodes.length; j++) if (!isTok(nodes[j], 'space')) return j;
  return -1;
}

function emitIdent(n: Node): string {
  if (n.type === 'tok' && n.tok.kind === 'quoted-ident') return sqlIdent(n.tok.value);
  if (n.type === 'tok' && n.tok.kind === 'word') return n.tok.value;
  return sourceText([n]);
}

/** Translates the node at `i`, possibly consuming following nodes; returns the last index consumed. */
function translateNode(nodes: Node[], i: number, ctx: Ctx): { text: string; end: number } {
  const n = nodes[i]!;
  if (n.type === 'group') return withPath(nodes, `(${translateNodes(n.children, ctx)})`, i);
  const t = n.tok;
  switch (t.kind) {
    case 'space':
      return { text: ' ', end: i };
    case 'comment':
      return { text: '', end: i };
    case 'string':
    case 'dollar-string':
      // Re-quoted by us, standard-SQL style, and set apart by a space so no neighbouring word can
      // turn it into another kind of literal for DuckDB (E'…' escapes, U&'…', X'…').
      return { text: ` ${sqlString(t.value)}`, end: i };
    case 'number':
      return { text: t.text, end: i };
    case 'bind':
      return { text: bind(t.value, ctx), end: i };
    case 'stage':
      throw unsupported(`querying a stage (${t.text})`);
    case 'punct':
      if (t.text === '::') {
        const j = nextSig(nodes, i);
        if (j < 0) throw compilationError("syntax error: '::' without a type.");
        const ty = translateType(nodes, j, ctx);
        return { text: `::${ty.text}`, end: ty.end };
      }
      if (t.text === '!') throw unsupported("'!' outside MODEL(...)!METHOD(...)");
      // DuckDB reads `$tag$` as the start of a dollar-quoted string; Snowflake has no bare `$`.
      if (t.text === '$' || t.text === '\\') throw compilationError(`syntax error at position ${t.start} unexpected '${t.text}'.`, { offset: t.start });
      return { text: t.text, end: i };
    case 'quoted-ident':
    case 'word':
      return translateWord(nodes, i, ctx);
  }
}

function bind(value: string, ctx: Ctx): string {
  if (value === '?') {
    if (ctx.named) throw compilationError("cannot mix '?' and ':N' bind variables.");
    ctx.positional++;
    ctx.maxBind = Math.max(ctx.maxBind, ctx.positional);
    return bindRef(ctx.positional, ctx);
  }
  if (ctx.positional > 0) throw compilationError("cannot mix '?' and ':N' bind variables.");
  ctx.named = true;
  const index = Number(value);
  ctx.maxBind = Math.max(ctx.maxBind, index);
  return bindRef(index, ctx);
}

/** A VARIANT/OBJECT/ARRAY bind arrives as JSON text; typing it JSON keeps it semi-structured. */
function bindRef(index: number, ctx: Ctx): string {
  return ctx.jsonBinds.has(index) ? `CAST($${index} AS JSON)` : `$${index}`;
}

function translateWord(nodes: Node[], i: number, ctx: Ctx): { text: string; end: number } {
  const n = nodes[i] as Extract<Node, { type: 'tok' }>;
  const j = nextSig(nodes, i);
  const next = j >= 0 ? nodes[j] : undefined;
  // MODEL(m[, v])!METHOD(args) and alias!METHOD(args)
  if (isWord(n, 'MODEL') && next?.type === 'group' && isPunct(nodes[nextSig(nodes, j)], '!')) return modelCall(nodes, i, ctx);
  if (n.tok.kind === 'word' && ctx.modelAliases.has(n.tok.value) && isPunct(next, '!')) return modelCall(nodes, i, ctx);
  if (n.tok.kind === 'word' && next?.type === 'group' && j === i + 1) {
    // LISTAGG/ARRAY_AGG(x) WITHIN GROUP (ORDER BY …): DuckDB wants the ORDER BY inside the call.
    const w = nextSig(nodes, j);
    const g = nextSig(nodes, w);
    const order = nodes[nextSig(nodes, g)];
    if ((n.tok.value === 'LISTAGG' || n.tok.value === 'ARRAY_AGG') && isWord(nodes[w], 'WITHIN') && isWord(nodes[g], 'GROUP') && order?.type === 'group') {
      const orderBy = translateNodes(order.children, ctx).trim();
      const call = translateFunction(n.tok.value, next.children, ctx);
      return { text: `${call.slice(0, call.lastIndexOf(')'))} ${orderBy})`, end: nextSig(nodes, g) };
    }
    return withPath(nodes, translateFunction(n.tok.value, next.children, ctx), j);
  }
  if (n.tok.kind === 'word' && n.tok.value === 'MINUS') return { text: 'EXCEPT', end: i };
  if (n.tok.kind === 'word' && (n.tok.value === 'SAMPLE' || n.tok.value === 'TABLESAMPLE')) {
    const sample = translateSample(nodes, i);
    if (sample) return sample;
  }
  // Identifier chain a.b.c, optionally followed by a JSON path (:key.sub[0]) or brackets.
  let end = i;
  const parts = [emitIdent(n)];
  while (isPunct(nodes[end + 1], '.') && (isTok(nodes[end + 2], 'word') || isTok(nodes[end + 2], 'quoted-ident'))) {
    parts.push(emitIdent(nodes[end + 2]!));
    end += 2;
  }
  if (isPunct(nodes[end + 1], '.') && isPunct(nodes[end + 2], '*')) {
    parts.push('*');
    end += 2;
  }
  return withPath(nodes, parts.join('.'), end);
}

/** Applies a Snowflake path (`:key.sub[0]`, `['key']`) that follows an operand ending at `end`. */
function withPath(nodes: Node[], base: string, end: number): { text: string; end: number } {
  const path: string[] = [];
  let k = end + 1;
  const keyOf = (node: Node | undefined): string | null => {
    // JSON keys are case-sensitive: a word keeps its written case.
    if (node?.type !== 'tok') return null;
    if (node.tok.kind === 'word') return node.tok.text;
    if (node.tok.kind === 'quoted-ident') return node.tok.value;
    return null;
  };
  if (isPunct(nodes[k], ':') && keyOf(nodes[k + 1]) !== null) {
    path.push(`.${jsonKey(keyOf(nodes[k + 1])!)}`);
    k += 2;
    for (;;) {
      if (isPunct(nodes[k], '.') && keyOf(nodes[k + 1]) !== null) {
        path.push(`.${jsonKey(keyOf(nodes[k + 1])!)}`);
        k += 2;
      } else if (bracketAt(nodes, k)) {
        path.push(bracketAt(nodes, k)!);
        k += 3;
      } else break;
    }
  } else {
    while (bracketAt(nodes, k)) {
      path.push(bracketAt(nodes, k)!);
      k += 3;
    }
  }
  if (path.length === 0) return { text: base, end };
  const castAt = nextSig(nodes, k - 1);
  const castType = nodes[nextSig(nodes, castAt)];
  const toText = isPunct(nodes[castAt], '::') && castType?.type === 'tok' && TEXT_TYPES.has(castType.tok.value);
  const fn = toText ? 'json_extract_string' : 'json_extract';
  return { text: `${fn}(${base}, ${sqlString(`$${path.join('')}`)})`, end: k - 1 };
}

/** `SAMPLE|TABLESAMPLE [BERNOULLI|ROW|SYSTEM|BLOCK] (p)` (percent) or `(n ROWS)` → DuckDB's TABLESAMPLE. */
function translateSample(nodes: Node[], i: number): { text: string; end: number } | null {
  let k = nextSig(nodes, i);
  let method = 'bernoulli';
  if (isWord(nodes[k], 'BERNOULLI', 'ROW', 'SYSTEM', 'BLOCK')) {
    method = isWord(nodes[k], 'SYSTEM', 'BLOCK') ? 'system' : 'bernoulli';
    k = nextSig(nodes, k);
  }
  const group = nodes[k];
  if (group?.type !== 'group') return null;
  const inner = sig(group.children);
  const amount = inner[0]?.type === 'tok' && inner[0].tok.kind === 'number' ? inner[0].tok.text : null;
  if (amount === null) throw unsupported('SAMPLE with a non-numeric size');
  if (isWord(inner[1], 'ROWS')) return { text: `TABLESAMPLE ${amount} ROWS`, end: k };
  return { text: `TABLESAMPLE ${amount}% (${method})`, end: k };
}

function jsonKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `"${key.replace(/"/g, '\\"')}"`;
}

function bracketAt(nodes: Node[], k: number): string | null {
  if (!isPunct(nodes[k], '[') || !isPunct(nodes[k + 2], ']')) return null;
  const inner = nodes[k + 1];
  if (inner?.type !== 'tok') return null;
  if (inner.tok.kind === 'number') return `[${inner.tok.text}]`;
  if (inner.tok.kind === 'string') return `.${jsonKey(inner.tok.value)}`;
  return null;
}

function modelCall(nodes: Node[], i: number, ctx: Ctx): { text: string; end: number } {
  if (ctx.selectItem === null) throw unsupported('MODEL(...)!METHOD(...) outside the top-level select list');
  const head = nodes[i] as { tok: { value: string } };
  let model: string[];
  let version: string | null;
  let k: number;
  if (head.tok.value === 'MODEL' && nodes[nextSig(nodes, i)]?.type === 'group') {
    const g = nodes[nextSig(nodes, i)] as { children: Node[] };
    const args = splitCommas(g.children).map((a) => sig(a));
    model = args[0]!.filter((x) => !isPunct(x, '.')).map((x) => identName(x) ?? '');
    version = args[1] ? (identName(args[1][0]) ?? null) : null;
    k = nextSig(nodes, nextSig(nodes, i));
  } else {
    const alias = ctx.modelAliases.get(head.tok.value)!;
    model = alias.model;
    version = alias.version;
    k = nextSig(nodes, i);
  }
  const methodAt = nextSig(nodes, k);
  const method = identName(nodes[methodAt]);
  const argsAt = nextSig(nodes, methodAt);
  const group = nodes[argsAt];
  if (!method || group?.type !== 'group') throw compilationError('syntax error: expected MODEL(...)!METHOD(args).');
  const args = splitCommas(group.children).filter((a) => sig(a).length > 0);
  ctx.modelCalls.push({ model, version, method, column: ctx.selectItem, argCount: args.length });
  const packed = args.map((a, index) => `"A${index}" := ${translateNodes(a, ctx)}`).join(', ');
  return { text: `struct_pack(${packed})`, end: argsAt };
}

/** Maps a Snowflake type (with its parameters) at nodes[i] to DuckDB. */
function translateType(nodes: Node[], i: number, ctx: Ctx): { text: string; end: number } {
  const n = nodes[i];
  if (!isTok(n, 'word')) return translateNode(nodes, i, ctx);
  const name = n.tok.value;
  let end = i;
  let params: string[] = [];
  const j = nextSig(nodes, i);
  if (j === i + 1 && nodes[j]?.type === 'group') {
    params = splitCommas((nodes[j] as { children: Node[] }).children).map((p) => sourceText(p).trim());
    // Type parameters are copied into the output: only plain numbers (or MAX-style words) may pass.
    for (const p of params) if (!/^(?:\d{1,5}|[A-Za-z_]\w*)$/.test(p)) throw compilationError(`invalid type parameter '${p.slice(0, 40)}' for ${name}.`, { type: name });
    end = j;
  }
  const word2 = (w: string): boolean => isWord(nodes[nextSig(nodes, end)], w);
  if (name === 'NUMBER' || name === 'DECIMAL' || name === 'NUMERIC') {
    const p = params[0] ?? '38';
    const s = params[1] ?? '0';
    return { text: `DECIMAL(${p},${s})`, end };
  }
  if (INT_TYPES.has(name)) return { text: 'BIGINT', end };
  if (name === 'DOUBLE' && word2('PRECISION')) return { text: 'DOUBLE', end: nextSig(nodes, end) };
  if (FLOAT_TYPES.has(name)) return { text: 'DOUBLE', end };
  if (TEXT_TYPES.has(name)) {
    if (word2('VARYING')) end = nextSig(nodes, end);
    return { text: 'VARCHAR', end };
  }
  if (name === 'BINARY' || name === 'VARBINARY') return { text: 'BLOB', end };
  if (name === 'DATETIME' || name === 'TIMESTAMP_NTZ') return { text: 'TIMESTAMP', end };
  if (name === 'TIMESTAMP') {
    if (word2('WITH')) {
      // TIMESTAMP WITH [LOCAL] TIME ZONE
      let k = end;
      for (const w of ['WITH', 'LOCAL', 'TIME', 'ZONE']) {
        const m = nextSig(nodes, k);
        if (isWord(nodes[m], w)) k = m;
      }
      return { text: 'TIMESTAMPTZ', end: k };
    }
    return { text: 'TIMESTAMP', end };
  }
  if (name === 'TIMESTAMP_LTZ' || name === 'TIMESTAMP_TZ') return { text: 'TIMESTAMPTZ', end };
  if (name === 'TIME') return { text: 'TIME', end };
  if (name === 'VARIANT' || name === 'OBJECT' || name === 'ARRAY') return { text: 'JSON', end };
  if (name === 'GEOGRAPHY' || name === 'GEOMETRY' || name === 'VECTOR') throw unsupported(`type ${name}`);
  return { text: params.length ? `${name}(${params.join(',')})` : name, end };
}

function partName(nodes: Node[]): string {
  const s = sig(nodes);
  const raw = isTok(s[0], 'string') ? s[0].tok.value.toUpperCase() : (identName(s[0]) ?? '');
  const part = DATE_PARTS[raw];
  if (!part) throw compilationError(`invalid date/time part '${raw}'.`, { part: raw });
  return part;
}

function translateFunction(name: string, children: Node[], ctx: Ctx): string {
  const rawArgs = splitCommas(children).filter((a, index, all) => sig(a).length > 0 || all.length > 1 || index > 0);
  const args = (): string[] => rawArgs.map((a) => translateNodes(a, ctx).trim());
  const arity = (min: number, max = min): string[] => {
    if (rawArgs.length < min || rawArgs.length > max) {
      throw new SnowflakeSqlError('000938', '42601', `SQL compilation error:\nnumber of arguments for function ${name} must be between ${min} and ${max}, got ${rawArgs.length}.`, { function: name });
    }
    return args();
  };
  const s = ctx.session;
  if (UNSUPPORTED_FUNCTIONS.has(name)) throw unsupported(`function ${name}`);
  switch (name) {
    case 'CAST':
    case 'TRY_CAST': {
      const asAt = children.map((c, index) => (isWord(c, 'AS') ? index : -1)).filter((x) => x >= 0).pop();
      if (asAt === undefined) throw compilationError(`syntax error: ${name} without AS.`);
      const value = translateNodes(children.slice(0, asAt), ctx);
      const typeAt = nextSig(children, asAt);
      const ty = translateType(children, typeAt, ctx);
      return `${name}(${value.trim()} AS ${ty.text})`;
    }
    case 'PARSE_JSON': {
      const [x] = arity(1);
      return `json(${x})`;
    }
    case 'TRY_PARSE_JSON': {
      const [x] = arity(1);
      return `(CASE WHEN json_valid(${x}) THEN json(${x}) END)`;
    }
    case 'OBJECT_CONSTRUCT':
    case 'OBJECT_CONSTRUCT_KEEP_NULL': {
      if (rawArgs.length === 1 && sig(rawArgs[0]!).length === 1 && isPunct(sig(rawArgs[0]!)[0], '*')) throw unsupported('OBJECT_CONSTRUCT(*)');
      const a = args();
      if (a.length % 2 !== 0) throw compilationError(`${name} needs key/value pairs.`);
      if (name === 'OBJECT_CONSTRUCT_KEEP_NULL' || a.length === 0) return `json_object(${a.join(', ')})`;
      // OBJECT_CONSTRUCT leaves out keys whose value is SQL NULL (a JSON null is kept).
      const entries = [];
      for (let i = 0; i < a.length; i += 2) entries.push(`{'k': CAST(${a[i]} AS VARCHAR), 'v': to_json(${a[i + 1]})}`);
      return `to_json(map_from_entries(list_filter([${entries.join(', ')}], e -> e.v IS NOT NULL)))`;
    }
    case 'ARRAY_CONSTRUCT':
      return `json_array(${args().join(', ')})`;
    case 'TO_VARIANT':
    case 'TO_OBJECT':
    case 'TO_ARRAY': {
      const [x] = arity(1);
      return `to_json(${x})`;
    }
    case 'CURRENT_TIMESTAMP':
    case 'LOCALTIMESTAMP':
    case 'SYSTIMESTAMP':
    case 'GETDATE':
      arity(0, 1);
      return 'get_current_timestamp()';
    case 'SYSDATE':
      arity(0);
      return "(get_current_timestamp() AT TIME ZONE 'UTC')";
    case 'CURRENT_DATE':
      arity(0);
      return 'current_date';
    case 'CURRENT_TIME':
    case 'LOCALTIME':
      arity(0, 1);
      return 'CAST(get_current_timestamp() AS TIME)';
    case 'DATEADD':
    case 'TIMEADD':
    case 'TIMESTAMPADD': {
      arity(3);
      const part = partName(rawArgs[0]!);
      const [, amount, value] = args();
      return `(${value} + CAST(${amount} AS BIGINT) * INTERVAL 1 ${part})`;
    }
    case 'DATEDIFF':
    case 'TIMEDIFF':
    case 'TIMESTAMPDIFF': {
      arity(3);
      const part = partName(rawArgs[0]!);
      const [, a, b] = args();
      return `date_diff(${sqlString(part.toLowerCase())}, ${a}, ${b})`;
    }
    case 'DATE_TRUNC': {
      arity(2);
      const part = partName(rawArgs[0]!);
      const [, x] = args();
      return `date_trunc(${sqlString(part.toLowerCase())}, ${x})`;
    }
    case 'IFF': {
      const [c, a, b] = arity(3);
      return `(CASE WHEN ${c} THEN ${a} ELSE ${b} END)`;
    }
    case 'NVL':
    case 'IFNULL': {
      const [a, b] = arity(2);
      return `coalesce(${a}, ${b})`;
    }
    case 'NVL2': {
      const [a, b, c] = arity(3);
      return `(CASE WHEN ${a} IS NOT NULL THEN ${b} ELSE ${c} END)`;
    }
    case 'ZEROIFNULL': {
      const [a] = arity(1);
      return `coalesce(${a}, 0)`;
    }
    case 'NULLIFZERO': {
      const [a] = arity(1);
      return `nullif(${a}, 0)`;
    }
    case 'DIV0': {
      const [a, b] = arity(2);
      return `(CASE WHEN ${b} = 0 THEN 0 ELSE ${a} / ${b} END)`;
    }
    case 'SQUARE': {
      const [a] = arity(1);
      return `((${a}) * (${a}))`;
    }
    case 'TO_VARCHAR':
    case 'TO_CHAR': {
      if (rawArgs.length > 1) throw unsupported(`${name} with a format argument`);
      const [x] = arity(1);
      return `CAST(${x} AS VARCHAR)`;
    }
    case 'TO_NUMBER':
    case 'TO_DECIMAL':
    case 'TO_NUMERIC': {
      const a = arity(1, 3);
      return `CAST(${a[0]} AS DECIMAL(${a[1] ?? '38'},${a[2] ?? '0'}))`;
    }
    case 'TO_DOUBLE':
      return `CAST(${arity(1)[0]} AS DOUBLE)`;
    case 'TO_BOOLEAN':
      return `CAST(${arity(1)[0]} AS BOOLEAN)`;
    case 'TO_DATE':
      return `CAST(${arity(1)[0]} AS DATE)`;
    case 'TO_TIME':
      return `CAST(${arity(1)[0]} AS TIME)`;
    case 'TO_TIMESTAMP':
    case 'TO_TIMESTAMP_NTZ':
      return `CAST(${arity(1)[0]} AS TIMESTAMP)`;
    case 'TO_TIMESTAMP_LTZ':
    case 'TO_TIMESTAMP_TZ':
      return `CAST(${arity(1)[0]} AS TIMESTAMPTZ)`;
    case 'TRY_TO_NUMBER':
    case 'TRY_TO_DECIMAL':
    case 'TRY_TO_NUMERIC': {
      const a = arity(1, 3);
      return `TRY_CAST(${a[0]} AS DECIMAL(${a[1] ?? '38'},${a[2] ?? '0'}))`;
    }
    case 'TRY_TO_DOUBLE':
      return `TRY_CAST(${arity(1)[0]} AS DOUBLE)`;
    case 'TRY_TO_BOOLEAN':
      return `TRY_CAST(${arity(1)[0]} AS BOOLEAN)`;
    case 'TRY_TO_DATE':
      return `TRY_CAST(${arity(1)[0]} AS DATE)`;
    case 'TRY_TO_TIMESTAMP':
    case 'TRY_TO_TIMESTAMP_NTZ':
      return `TRY_CAST(${arity(1)[0]} AS TIMESTAMP)`;
    case 'CONVERT_TIMEZONE': {
      const a = arity(2, 3);
      // Two arguments: the instant shown as wall-clock time in the target zone (returned as NTZ here).
      if (a.length === 2) return `timezone(${a[0]}, CAST(${a[1]} AS TIMESTAMPTZ))`;
      return `timezone(${a[1]}, timezone(${a[0]}, CAST(${a[2]} AS TIMESTAMP)))`;
    }
    case 'TO_JSON':
      return `CAST(json(${arity(1)[0]}) AS VARCHAR)`;
    case 'TO_BINARY': {
      const a = arity(1, 2);
      const format = rawArgs[1] ? (sig(rawArgs[1])[0] as { tok?: { value: string } }).tok?.value.toUpperCase() : 'HEX';
      if (format === 'HEX') return `unhex(${a[0]})`;
      if (format === 'BASE64') return `from_base64(${a[0]})`;
      if (format === 'UTF-8' || format === 'UTF8') return `encode(${a[0]})`;
      throw unsupported(`TO_BINARY format ${format}`);
    }
    case 'HEX_ENCODE':
      return `upper(hex(${arity(1)[0]}))`;
    case 'BASE64_ENCODE':
      return `to_base64(${arity(1)[0]})`;
    case 'ARRAY_SIZE':
      return `json_array_length(${arity(1)[0]})`;
    case 'OBJECT_KEYS':
      return `to_json(json_keys(${arity(1)[0]}))`;
    case 'GET': {
      const [x, k] = arity(2);
      return `(${x} -> ${k})`;
    }
    case 'GET_PATH': {
      const [x, p] = arity(2);
      return `json_extract(${x}, '$.' || ${p})`;
    }
    case 'ARRAY_AGG':
      return `json_group_array(${arity(1)[0]})`;
    case 'OBJECT_AGG': {
      const [k, v] = arity(2);
      return `json_group_object(${k}, ${v})`;
    }
    case 'LISTAGG': {
      const a = arity(1, 2);
      return `string_agg(${a[0]}, ${a[1] ?? "''"})`;
    }
    case 'UUID_STRING':
      arity(0);
      return 'CAST(uuid() AS VARCHAR)';
    case 'LEN':
      return `length(${arity(1)[0]})`;
    case 'CHARINDEX': {
      const [a, b] = arity(2);
      return `instr(${b}, ${a})`;
    }
    case 'STARTSWITH': {
      const [a, b] = arity(2);
      return `starts_with(${a}, ${b})`;
    }
    case 'ENDSWITH': {
      const [a, b] = arity(2);
      return `ends_with(${a}, ${b})`;
    }
    case 'SPLIT': {
      const [a, b] = arity(2);
      return `to_json(string_split(${a}, ${b}))`;
    }
    case 'REGEXP_LIKE':
    case 'RLIKE': {
      const [a, b] = arity(2);
      return `regexp_full_match(${a}, ${b})`;
    }
    case 'CURRENT_DATABASE':
      arity(0);
      return s.database === null ? 'NULL' : sqlString(s.database);
    case 'CURRENT_SCHEMA':
      arity(0);
      return s.schema === null ? 'NULL' : sqlString(s.schema);
    case 'CURRENT_USER':
      arity(0);
      return sqlString(s.user);
    case 'CURRENT_ROLE':
      arity(0);
      return sqlString(s.role);
    case 'CURRENT_WAREHOUSE':
      arity(0);
      return s.warehouse === null ? 'NULL' : sqlString(s.warehouse);
    case 'CURRENT_SESSION':
      arity(0);
      return sqlString(s.sessionId);
    case 'CURRENT_ACCOUNT':
      arity(0);
      return sqlString('SNOWFLAKE_LOCAL');
    case 'CURRENT_REGION':
      arity(0);
      return sqlString('LOCAL');
    case 'CURRENT_VERSION':
      arity(0);
      return sqlString('9.0.0');
    default:
      return `${name}(${translateNodes(children, ctx)})`;
  }
}
