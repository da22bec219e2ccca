import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from './open-registry.js';
import { canonicalName } from './registry-names.js';
import { dollarQuoted, dollarQuotedJson } from './snowflake/dollar-quote.js';
import { mapPredictObject } from './snowflake/remote-detector.js';
import { nextVersionName } from './version-names.js';
import { codeOf } from '../../../test/support/errors.js';

describe('registry names and values', () => {
  it('accepts Snowflake unquoted identifiers only as names, canonical upper case', () => {
    expect(canonicalName('pcb_Defects$2', 'name')).toBe('PCB_DEFECTS$2');
    for (const bad of ['a-b', '"x"', 'a.b', '1a', '', 'x y', 'é', '..', 'a/b', undefined, 7]) expect(codeOf(() => canonicalName(bad, 'name'))).toBe('REGISTRY_IDENTIFIER');
  });

  it('dollar-quotes comments it cannot be escaped from, and JSON without any $', () => {
    expect(dollarQuoted("it's $5", 'comment')).toBe("$$it's $5$$");
    expect(codeOf(() => dollarQuoted('a $$ b', 'comment'))).toBe('REGISTRY_COMMENT');
    expect(codeOf(() => dollarQuoted('ends with $', 'comment'))).toBe('REGISTRY_COMMENT');
    const value = { 'm$$': 'x$$y$', n: [1, '$'] };
    const literal = dollarQuotedJson(value);
    const inner = literal.slice(2, -2);
    expect(inner).not.toContain('$');
    expect(JSON.parse(inner)).toEqual(value);
  });

  it('parses registry specs', () => {
    expect(parseRegistrySpec(undefined)).toEqual({ kind: 'local' });
    expect(parseRegistrySpec('snowflake')).toEqual({ kind: 'snowflake' });
    expect(parseRegistrySpec('snowflake:prod-1')).toEqual({ kind: 'snowflake', connection: 'prod-1' });
    expect(codeOf(() => parseRegistrySpec('s3'))).toBe('REGISTRY_SPEC');
  });

  it('numbers versions after the highest V<n>', () => {
    expect(nextVersionName([])).toBe('V1');
    expect(nextVersionName(['V1', 'EXP', 'V10', 'V2'])).toBe('V11');
  });

  it('maps a PREDICT OBJECT (either key case) to detections and names bad rows', () => {
    const object = { detections: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 1, label: 'short' }], width: 640, height: 480 };
    expect(mapPredictObject(object, [], 0)).toEqual({ detections: object.detections, width: 640, height: 480 });
    const upper = { DETECTIONS: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 2 }], WIDTH: 10, HEIGHT: 20 };
    expect(mapPredictObject(JSON.stringify(upper), ['a', 'b', 'c'], 0).detections[0]!.label).toBe('c');
    expect(codeOf(() => mapPredictObject({ detections: [{ x1: 'x' }], width: 1, height: 1 }, [], 3))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
    expect(codeOf(() => mapPredictObject(null, [], 0))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
  });
});
