import { InvalidArgumentError, type Detection } from '@defectkit/core';

/** What an inspection line decides for one board. */
export type Verdict = 'pass' | 'fail';

/**
 * The verdict rule: a board fails when at least one of its detections scores at or above the threshold of its
 * class (`classConf[label]`, else `conf`). With `conf` 0 and no class thresholds, any detection fails the board.
 */
export interface VerdictRule {
  conf: number;
  classConf: Readonly<Record<string, number>>;
}

/** The threshold a detection of `label` must reach to fail its board. */
export function verdictThreshold(label: string, rule: VerdictRule): number {
  return rule.classConf[label] ?? rule.conf;
}

/**
 * The verdict of one board under `rule` (see {@link VerdictRule}).
 *
 * @example
 * boardVerdict(detections, { conf: 0.25, classConf: { short: 0.4 } }); // 'fail' when a short scores >= 0.4, ...
 */
export function boardVerdict(detections: readonly Pick<Detection, 'label' | 'score'>[], rule: VerdictRule): Verdict {
  return detections.some((d) => d.score >= verdictThreshold(d.label, rule)) ? 'fail' : 'pass';
}

/** `base` with the fields of `override` on top (class thresholds merged class by class). */
export function mergeVerdictRule(base: VerdictRule, override: Partial<VerdictRule> | undefined): VerdictRule {
  if (!override) return base;
  return { conf: override.conf ?? base.conf, classConf: { ...base.classConf, ...override.classConf } };
}

/**
 * Reads a verdict override written as text: a score for every class and/or `class=score` pairs, comma-separated
 * (`0.5`, `short=0.3`, `0.5,short=0.3,open=0.4`). Scores are in [0, 1]; class names are checked against `classes`
 * when given. Throws `INVALID_OPTION` naming `field` and the bad part.
 */
export function parseVerdictSpec(text: string, classes?: readonly string[], field = 'verdict-conf'): Partial<VerdictRule> {
  const rule: { conf?: number; classConf: Record<string, number> } = { classConf: {} };
  const bad = (part: string, why: string): never => {
    throw new InvalidArgumentError('INVALID_OPTION', `--${field}: "${part}" ${why} (expected a score and/or class=score pairs, e.g. 0.5,short=0.3)`, { field, value: text });
  };
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') bad(part, 'is empty');
    const eq = part.indexOf('=');
    const label = eq < 0 ? undefined : part.slice(0, eq).trim();
    const valueText = eq < 0 ? part : part.slice(eq + 1).trim();
    const value = Number(valueText);
    if (valueText === '' || !Number.isFinite(value) || value < 0 || value > 1) bad(part, 'has no score in [0, 1]');
    if (label === undefined) {
      if (rule.conf !== undefined) bad(part, 'repeats the score for every class');
      rule.conf = value;
    } else {
      if (label === '') bad(part, 'has no class name');
      if (classes && !classes.includes(label!)) bad(part, `names no class of the model (${classes.join(', ')})`);
      rule.classConf[label!] = value;
    }
  }
  return rule.conf === undefined ? { classConf: rule.classConf } : { conf: rule.conf, classConf: rule.classConf };
}
