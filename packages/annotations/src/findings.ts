/**
 * Validation findings: every problem a reader or the validator sees, with the file and line it concerns.
 * Readers never fix data silently; they report here and leave the decision (refuse or drop) to the caller.
 */

/** The rules a finding can break (stable identifiers, used in reports and `--json` output). */
export type FindingRule =
  | 'out-of-bounds'
  | 'zero-size'
  | 'negative-size'
  | 'inverted-corners'
  | 'unknown-class'
  | 'bad-number'
  | 'duplicate-box'
  | 'missing-image'
  | 'missing-label'
  | 'unreadable-label'
  | 'unreadable-image';

/** `error` findings make conversion refuse (unless bad boxes are skipped); `warning` findings are only reported. */
export type FindingSeverity = 'error' | 'warning';

/** One problem in a dataset. */
export interface Finding {
  /** The rule broken. */
  rule: FindingRule;
  severity: FindingSeverity;
  /** The file concerned (as the reader saw it: relative to the dataset root). */
  file: string;
  /** The 1-based line in `file`, when the problem is on one line. */
  line?: number;
  /** A human-readable explanation. */
  message: string;
  /** The image the finding belongs to (dataset-relative path), when known. */
  image?: string;
  /** How many boxes the reader left out of the dataset because of this finding (unparseable line, unknown class, missing image). */
  excludedBoxes?: number;
  /** True when the reader left the whole image out (missing or unreadable image or label file). */
  excludedImage?: boolean;
}

/** Formats a finding as `file:line: [rule] message`. */
export function formatFinding(finding: Finding): string {
  const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
  return `${where}: ${finding.severity} [${finding.rule}] ${finding.message}`;
}
