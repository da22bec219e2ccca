import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { canonicalIdentifier, parseStageLocation, quoteQualifiedName, stageLocationSql } from './identifiers.js';
import { parseRegistrySpec } from './open-registry.js';
import { dollarQuoted, dollarQuotedJson } from './snowflake/dollar-quote.js';
import { mapPredictObject } from './snowflake/remote-detector.js';
import { nextVersionName } from './version-names.js';

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (DefectKitError.isInstance(error)) return error.code;
    throw error;
  }
  return 'none';
}

describe('identifiers and SQL values', () => {
  it('accepts Snowflake unquoted identifiers only, canonical upper case, and quotes every part', () => {
    expect(canonicalIdentifier('pcb_Defects$2', 'name')).toBe('PCB_DEFECTS$2');
    for (const bad of ['a-b', '"x"', 'a.b', '1a', '', 'x y', 'é']) expect(codeOf(() => canonicalIdentifier(bad, 'name'))).toBe('REGISTRY_IDENTIFIER');
    expect(quoteQualifiedName('ml.pcb.labels', 'table')).toBe('"ML"."PCB"."LABELS"');
    expect(codeOf(() => quoteQualifiedName('a.b.c.d', 'table'))).toBe('REGISTRY_IDENTIFIER');
  });

  it('parses stage locations and refuses paths that could escape or inject', () => {
    const location = parseStageLocation('@ml.pcb.images/deeppcb/train/');
    expect(location).toEqual({ stage: '"ML"."PCB"."IMAGES"', path: 'deeppcb/train' });
    expect(stageLocationSql(location, 'group1')).toBe('@"ML"."PCB"."IMAGES"/deeppcb/train/group1');
    expect(stageLocationSql(parseStageLocation('@S'))).toBe('@"S"');
    for (const bad of ['ML.PCB.IMAGES', "@S/it's", '@S/../x', '@S/a b', '@"S"']) expect(codeOf(() => parseStageLocation(bad))).toBe('REGISTRY_IDENTIFIER');
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

  it('parses --registry values', () => {
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
