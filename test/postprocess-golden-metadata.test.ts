import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetadataValues, parsePythonLiteral, parseUltralyticsMetadata, readOnnxMetadata, type PyValue } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface Fixture {
  file: string;
  output0_shape: number[];
  matches_yolo_case: string;
  metadata_strings: Record<string, string>;
  metadata_parsed: Record<string, unknown>;
}
const golden = JSON.parse(readFileSync(join(goldenDir, 'onnx_metadata_fixtures.json'), 'utf8')) as {
  fixtures: Fixture[];
  metadata_vectors: { key: string; value_string: string; parsed: unknown }[];
};

/** The golden file writes Python dicts as {"__pydict__": [[k, v], ...]}; turn them into Maps like ours. */
function fromGolden(value: unknown): PyValue {
  if (Array.isArray(value)) return value.map(fromGolden);
  if (value !== null && typeof value === 'object') {
    const entries = (value as { __pydict__?: [unknown, unknown][] }).__pydict__;
    if (!entries) throw new Error(`unexpected golden object ${JSON.stringify(value)}`);
    return new Map(entries.map(([k, v]) => [fromGolden(k), fromGolden(v)]));
  }
  return value as PyValue;
}

describe('golden onnx_metadata_fixtures.json', () => {
  for (const fixture of golden.fixtures) {
    it(`${fixture.file}: metadata_props read from the protobuf bytes`, () => {
      const bytes = new Uint8Array(readFileSync(join(goldenDir, fixture.file)));
      const raw = readOnnxMetadata(bytes);
      expect(raw).toEqual(fixture.metadata_strings);
      const parsed = parseMetadataValues(raw);
      for (const [key, expected] of Object.entries(fixture.metadata_parsed)) expect(parsed[key]).toEqual(fromGolden(expected));
      expect(Object.keys(parsed).sort()).toEqual(Object.keys(fixture.metadata_parsed).sort());
      const meta = parseUltralyticsMetadata(raw);
      expect(meta.names?.length).toBe((fromGolden(fixture.metadata_parsed.names) as Map<PyValue, PyValue>).size);
      expect(meta.end2end).toBe(fixture.metadata_parsed.end2end === true);
      expect(meta.imgsz).toEqual(fixture.metadata_parsed.imgsz);
    });
  }

  for (const vector of golden.metadata_vectors) {
    it(`vector ${vector.key} = ${vector.value_string.slice(0, 40)}`, () => {
      expect(parseMetadataValues({ [vector.key]: vector.value_string })[vector.key]).toEqual(fromGolden(vector.parsed));
    });
  }

  it('literal parser handles quotes, escapes, tuples, None and non-ASCII', () => {
    expect(parsePythonLiteral(`{0: "it's", 1: 'a\\'b', 2: 'tab\\tnew\\nline\\\\', 3: 'caf\\xe9', 4: 'Ölfleck'}`)).toEqual(
      new Map<PyValue, PyValue>([
        [0, "it's"],
        [1, "a'b"],
        [2, 'tab\tnew\nline\\'],
        [3, 'café'],
        [4, 'Ölfleck'],
      ]),
    );
    expect(parsePythonLiteral('(1, 2.5, -3, None, True, False, ())')).toEqual([1, 2.5, -3, null, true, false, []]);
    expect(parsePythonLiteral('(7,)')).toEqual([7]);
    expect(parsePythonLiteral('(7)')).toBe(7);
    expect(parsePythonLiteral("[[17, 3], {'a': [1e-3, .5]}]")).toEqual([[17, 3], new Map([['a', [0.001, 0.5]]])]);
  });
});
