import { describe, expect, it } from 'vitest';
import { boardVerdict, mergeVerdictRule, parseVerdictSpec, verdictThreshold } from './board-verdict.js';

const det = (label: string, score: number) => ({ label, score });

describe('boardVerdict', () => {
  const rule = { conf: 0.5, classConf: { short: 0.3 } };

  it('fails a board when a detection reaches its class threshold (at the threshold counts), else passes', () => {
    expect(boardVerdict([], rule)).toBe('pass');
    expect(boardVerdict([det('open', 0.49)], rule)).toBe('pass');
    expect(boardVerdict([det('open', 0.5)], rule)).toBe('fail');
    expect(boardVerdict([det('short', 0.3)], rule)).toBe('fail');
    expect(boardVerdict([det('short', 0.29), det('spur', 0.1)], rule)).toBe('pass');
    expect(boardVerdict([det('short', 0.29), det('spur', 0.7)], rule)).toBe('fail');
    expect(verdictThreshold('short', rule)).toBe(0.3);
    expect(verdictThreshold('open', rule)).toBe(0.5);
  });

  it('merges overrides class by class', () => {
    expect(mergeVerdictRule(rule, { classConf: { open: 0.2 } })).toEqual({ conf: 0.5, classConf: { short: 0.3, open: 0.2 } });
    expect(mergeVerdictRule(rule, { conf: 0.1 })).toEqual({ conf: 0.1, classConf: { short: 0.3 } });
    expect(mergeVerdictRule(rule, undefined)).toBe(rule);
  });
});

describe('parseVerdictSpec', () => {
  it('reads a score for every class and class=score pairs', () => {
    expect(parseVerdictSpec('0.4')).toEqual({ conf: 0.4, classConf: {} });
    expect(parseVerdictSpec('short=0.3, open=0.2')).toEqual({ classConf: { short: 0.3, open: 0.2 } });
    expect(parseVerdictSpec('0.5,short=0.3', ['open', 'short'])).toEqual({ conf: 0.5, classConf: { short: 0.3 } });
  });

  it.each([['1.5'], ['short=abc'], ['=0.3'], ['0.5,0.6'], [''], ['solder=0.3']])('refuses "%s" with INVALID_OPTION', (text) => {
    expect(() => parseVerdictSpec(text, ['open', 'short'])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { field: 'verdict-conf', value: text } }));
  });
});
