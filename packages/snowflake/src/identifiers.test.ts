import { describe, expect, it } from 'vitest';
import { fileUrlSql } from './file-url.js';
import { canonicalIdentifier, isIdentifier, parseStageLocation, quoteQualifiedName, stageLocationSql } from './identifiers.js';
import { matchSnowflakeTarget, parseSnowflakeTarget } from './snowflake-target.js';
import { codeOf } from '../../../test/support/errors.js';

describe('identifiers and SQL values', () => {
  it('accepts Snowflake unquoted identifiers only, canonical upper case, and quotes every part', () => {
    expect(canonicalIdentifier('pcb_Defects$2', 'name')).toBe('PCB_DEFECTS$2');
    for (const bad of ['a-b', '"x"', 'a.b', '1a', '', 'x y', 'é']) expect(codeOf(() => canonicalIdentifier(bad, 'name'))).toBe('SNOWFLAKE_IDENTIFIER');
    expect(quoteQualifiedName('ml.pcb.labels', 'table')).toBe('"ML"."PCB"."LABELS"');
    expect(codeOf(() => quoteQualifiedName('a.b.c.d', 'table'))).toBe('SNOWFLAKE_IDENTIFIER');
  });

  it('parses stage locations and refuses paths that could escape or inject', () => {
    const location = parseStageLocation('@ml.pcb.images/deeppcb/train/');
    expect(location).toEqual({ stage: '"ML"."PCB"."IMAGES"', path: 'deeppcb/train' });
    expect(stageLocationSql(location, 'group1')).toBe('@"ML"."PCB"."IMAGES"/deeppcb/train/group1');
    expect(stageLocationSql(parseStageLocation('@S'))).toBe('@"S"');
    for (const bad of ['ML.PCB.IMAGES', "@S/it's", '@S/../x', '@S/a b', '@"S"']) expect(codeOf(() => parseStageLocation(bad))).toBe('SNOWFLAKE_IDENTIFIER');
  });

  it('parses snowflake[:connection] targets and names the field of a bad one', () => {
    expect(matchSnowflakeTarget('snowflake')).toEqual({});
    expect(matchSnowflakeTarget('snowflake:prod-1')).toEqual({ connection: 'prod-1' });
    for (const bad of ['local', 'snowflake:', 'snowflake:a b', 'snowflakes', 'snowflake:../x/y']) expect(matchSnowflakeTarget(bad)).toBeNull();
    expect(codeOf(() => parseSnowflakeTarget('local', 'log target'))).toBe('SNOWFLAKE_TARGET');
  });

  it('quotes local paths for PUT and GET and refuses one it could not quote', () => {
    expect(isIdentifier('ok_1')).toBe(true);
    expect(fileUrlSql('/tmp/a b/c.onnx')).toBe("'file:///tmp/a%20b/c.onnx'");
    expect(codeOf(() => fileUrlSql("/tmp/it's/c.onnx"))).toBe('SNOWFLAKE_IDENTIFIER');
  });
});
