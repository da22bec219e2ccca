import { InvalidArgumentError } from '@defectkit/core';

// The one place the CLI turns option text into numbers, devices and format names. Each function returns a
// commander option parser (`.option(flags, description, parser, default)`), so a bad value fails while parsing,
// before any work starts, with INVALID_OPTION naming the option, what it expects and what it got.

/** What a number option accepts. */
export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
  /** How the message describes the accepted values, e.g. "a number in [0, 1]". */
  expected: string;
}

/** A parser for a number option, `--name`, within `range`. */
export function numberOption(name: string, range: NumberRange): (text: string) => number {
  return (text: string): number => {
    const value = Number(text);
    const ok =
      text.trim() !== '' &&
      Number.isFinite(value) &&
      (range.integer !== true || Number.isInteger(value)) &&
      (range.min === undefined || value >= range.min) &&
      (range.max === undefined || value <= range.max);
    if (!ok) throw new InvalidArgumentError('INVALID_OPTION', `--${name} must be ${range.expected} (got "${text}")`, { field: name, value: text });
    return value;
  };
}

/** A score or IoU threshold: a number in [0, 1]. */
export const unitOption = (name: string): ((text: string) => number) => numberOption(name, { min: 0, max: 1, expected: 'a number in [0, 1]' });

/** A count such as a batch size: an integer of at least 1. */
export const positiveIntOption = (name: string): ((text: string) => number) => numberOption(name, { min: 1, integer: true, expected: 'a positive integer' });

/** A parser for an option whose value is one of `choices`. */
export function choiceOption<T extends string>(name: string, choices: readonly T[]): (text: string) => T {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError('INVALID_OPTION', `--${name} must be ${choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)!}` : choices[0]} (got "${text}")`, { field: name, value: text });
    }
    return text as T;
  };
}

/** The devices a detector runs on. */
export const DEVICES = ['cpu', 'cuda', 'auto'] as const;
/** A device: cpu, cuda or auto. */
export type Device = (typeof DEVICES)[number];
/** The `--device` parser. */
export const deviceOption = choiceOption<Device>('device', DEVICES);
