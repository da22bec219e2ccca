import { isIdentifier } from '@defectkit/snowflake';
import { RegistryError } from './errors.js';

/**
 * Validates a model name, version name or alias and returns its canonical form (upper case). Names follow
 * Snowflake's unquoted-identifier rule in every registry, so a model logged locally can be logged to
 * Snowflake under the same name, and a name is always safe as a folder name and inside quoted SQL.
 * Throws `REGISTRY_IDENTIFIER` naming the field otherwise.
 *
 * @example
 * canonicalName('pcb_defects', 'name'); // 'PCB_DEFECTS'
 */
export function canonicalName(value: unknown, field: string): string {
  if (!isIdentifier(value)) {
    throw new RegistryError(
      'REGISTRY_IDENTIFIER',
      `${field} must be a letter or _ then letters, digits, _ or $ (at most 255 characters), got ${JSON.stringify(value)}`,
      { field, value: typeof value === 'string' ? value : String(value) },
    );
  }
  return value.toUpperCase();
}
