import { RegistryError } from '../errors.js';

// ALTER MODEL ... SET COMMENT / SET METADATA take a string literal: Snowflake (and snowflake-local) accept
// no bind variable there. A $$-quoted literal has no escape sequences at all, so it is exactly as safe as
// a bind once the text cannot contain the closing delimiter: we refuse such text instead of escaping it.

/** `$$text$$`; throws `REGISTRY_COMMENT` when the text contains `$$` or ends with `$`. */
export function dollarQuoted(text: string, field: string): string {
  if (text.includes('$$') || text.endsWith('$')) {
    throw new RegistryError('REGISTRY_COMMENT', `${field} may not contain "$$" or end with "$"`, { field });
  }
  return `$$${text}$$`;
}

/** A JSON value as a `$$...$$` literal; `$` is written as the JSON escape `\u0024`, so the text never holds `$`. */
export function dollarQuotedJson(value: unknown): string {
  return `$$${JSON.stringify(value).replaceAll('$', '\\u0024')}$$`;
}
