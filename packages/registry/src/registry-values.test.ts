import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from './open-registry.js';
import { canonicalName } from './registry-names.js';
import { dollarQuoted, dollarQuotedJson } from './snowflake/dollar-quote.js';
import type { SnowflakeSession } from '@defectkit/snowflake';
import { mapPredictObject, RemoteDetector } from './snowflake/remote-detector.js';
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

  it('the remote detector refuses tiling with INVALID_OPTION before sending any statement', async () => {
    const statements: string[] = [];
    const session = { execute: async (sql: string) => (statements.push(sql), []) } as unknown as SnowflakeSession;
    const detector = new RemoteDetector(session, { model: 'DB.S.M', version: 'V1' });
    await expect(detector.detect(new Uint8Array([1, 2]), { tile: { size: 320, overlap: 0.2 } })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { field: 'tile' } });
    expect(statements).toEqual([]);
  });

  it('maps a PREDICT OBJECT (either key case) to detections and names bad rows', () => {
    const object = { detections: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 1, label: 'short' }], width: 640, height: 480 };
    expect(mapPredictObject(object, [], 0)).toEqual({ detections: object.detections, width: 640, height: 480 });
    const upper = { DETECTIONS: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 2 }], WIDTH: 10, HEIGHT: 20 };
    expect(mapPredictObject(JSON.stringify(upper), ['a', 'b', 'c'], 0).detections[0]!.label).toBe('c');
    expect(codeOf(() => mapPredictObject({ detections: [{ x1: 'x' }], width: 1, height: 1 }, [], 3))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
    expect(codeOf(() => mapPredictObject(null, [], 0))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
  });

  it('maps a classifier\'s LABELS (a list, or JSON text from a notebook-logged model) to labels', () => {
    const labels = [{ label: 'BOARD', score: 0.75, class_id: 1 }, { score: 0.25, class_id: 0 }];
    const expected = [{ label: 'BOARD', score: 0.75, classId: 1 }, { label: 'TEMPLATE', score: 0.25, classId: 0 }];
    expect(mapPredictObject({ DETECTIONS: [], WIDTH: 64, HEIGHT: 48, LABELS: labels }, ['TEMPLATE', 'BOARD'], 0).labels).toEqual(expected);
    expect(mapPredictObject({ DETECTIONS: '[]', WIDTH: 64, HEIGHT: 48, LABELS: JSON.stringify(labels) }, ['TEMPLATE', 'BOARD'], 0).labels).toEqual(expected);
    expect(mapPredictObject({ DETECTIONS: '[]', WIDTH: 64, HEIGHT: 48, LABELS: '[]' }, [], 0)).not.toHaveProperty('labels'); // a detector's empty LABELS
    expect(codeOf(() => mapPredictObject({ DETECTIONS: [], WIDTH: 1, HEIGHT: 1, LABELS: [{ label: 'a', score: 'x', class_id: 0 }] }, [], 2))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
    expect(codeOf(() => mapPredictObject({ DETECTIONS: [], WIDTH: 1, HEIGHT: 1, LABELS: { a: 1 } }, [], 2))).toBe('SNOWFLAKE_PREDICT_OUTPUT');
    // Malformed JSON text, as the OBJECT itself or in a field, is the same typed error naming the field.
    for (const [value, field] of [['{not json', 'OBJECT'], [{ DETECTIONS: '[{', WIDTH: 1, HEIGHT: 1 }, 'DETECTIONS'], [{ DETECTIONS: [], WIDTH: 1, HEIGHT: 1, LABELS: '[1,' }, 'LABELS']] as const) {
      let caught: unknown;
      try {
        mapPredictObject(value, [], 4);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'SNOWFLAKE_PREDICT_OUTPUT', details: { row: 4, field } });
    }
  });
});
