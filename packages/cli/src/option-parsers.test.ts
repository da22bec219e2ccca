import { describe, expect, it } from 'vitest';
import { choiceOption, deviceOption, numberOption, positiveIntOption, unitOption } from './option-parsers.js';

/** The code and message a parser throws for `text`. */
function failure(parse: (text: string) => unknown, text: string): { code?: string; message: string } {
  try {
    parse(text);
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error(`"${text}" was accepted`);
}

describe('CLI option parsers', () => {
  it('parse numbers in range and refuse the rest with INVALID_OPTION naming the option, the range and the text', () => {
    expect(unitOption('conf')('0.25')).toBe(0.25);
    expect(unitOption('conf')('1')).toBe(1);
    for (const bad of ['', ' ', 'abc', '1.5', '-0.1', 'NaN', 'Infinity']) {
      expect(failure(unitOption('conf'), bad)).toEqual({ code: 'INVALID_OPTION', message: `--conf must be a number in [0, 1] (got "${bad}")` });
    }
    expect(positiveIntOption('batch')('8')).toBe(8);
    for (const bad of ['0', '2.5', '-3', 'x']) expect(failure(positiveIntOption('batch'), bad).message).toBe(`--batch must be a positive integer (got "${bad}")`);
    const port = numberOption('port', { min: 0, max: 65535, integer: true, expected: 'an integer 0-65535' });
    expect(port('0')).toBe(0);
    expect(failure(port, '65536').message).toBe('--port must be an integer 0-65535 (got "65536")');
  });

  it('parse choices, listing them when the value is not one', () => {
    expect(deviceOption('auto')).toBe('auto');
    expect(failure(deviceOption, 'gpu')).toEqual({ code: 'INVALID_OPTION', message: '--device must be cpu, cuda or auto (got "gpu")' });
    expect(failure(choiceOption('format', ['json', 'coco'] as const), 'xml').message).toBe('--format must be json or coco (got "xml")');
  });
});
