import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { readOnnxMetadata } from './onnx-metadata.js';
import { parsePythonLiteral } from './python-literal.js';
import { parseUltralyticsMetadata } from './ultralytics-metadata.js';

/** Hand-encodes a protobuf length-delimited field. */
function field(number: number, payload: Uint8Array): number[] {
  return [(number << 3) | 2, payload.length, ...payload];
}
const text = (s: string) => new TextEncoder().encode(s);
const entry = (k: string, v: string) => Uint8Array.from([...field(1, text(k)), ...field(2, text(v))]);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return DefectKitError.isInstance(error) ? error.code : 'untyped';
  }
  return 'none';
}

describe('readOnnxMetadata', () => {
  it('reads field 14 entries and skips varint, fixed and nested fields', () => {
    const bytes = Uint8Array.from([
      0x08, 0x07, // ir_version = 7 (varint)
      ...field(7, Uint8Array.of(0x0a, 0x00)), // graph, skipped
      ...field(14, entry('names', "{0: 'open'}")),
      0x29, 1, 2, 3, 4, 5, 6, 7, 8, // field 5, 64-bit
      ...field(14, entry('stride', '32')),
    ]);
    expect(readOnnxMetadata(bytes)).toEqual({ names: "{0: 'open'}", stride: '32' });
  });

  it('rejects truncated or malformed bytes with ONNX_PROTOBUF_PARSE', () => {
    expect(codeOf(() => readOnnxMetadata(Uint8Array.of(0x72, 0x10, 0x01)))).toBe('ONNX_PROTOBUF_PARSE');
    expect(codeOf(() => readOnnxMetadata(Uint8Array.of(0x0b)))).toBe('ONNX_PROTOBUF_PARSE');
    expect(codeOf(() => readOnnxMetadata(Uint8Array.of(0x08, 0xff)))).toBe('ONNX_PROTOBUF_PARSE');
  });
});

describe('Python literals', () => {
  it('rejects JSON-only and malformed input with PYTHON_LITERAL_PARSE naming the key', () => {
    expect(codeOf(() => parsePythonLiteral('{"a": true}'))).toBe('PYTHON_LITERAL_PARSE');
    expect(codeOf(() => parsePythonLiteral("{'a': 1"))).toBe('PYTHON_LITERAL_PARSE');
    expect(codeOf(() => parsePythonLiteral("'open"))).toBe('PYTHON_LITERAL_PARSE');
    expect(codeOf(() => parsePythonLiteral('[1, 2] x'))).toBe('PYTHON_LITERAL_PARSE');
    try {
      parseUltralyticsMetadata({ stride: 'thirty-two' });
    } catch (error) {
      expect(DefectKitError.isInstance(error) && error.details.field).toBe('stride');
    }
  });

  it('fills name gaps, reads square imgsz and end2end from args.nms', () => {
    const meta = parseUltralyticsMetadata({ names: "{0: 'a', 2: 'c'}", imgsz: '640', args: "{'nms': True, 'dynamic': True}" });
    expect(meta.names).toEqual(['a', '1', 'c']);
    expect(meta.imgsz).toEqual([640, 640]);
    expect(meta.end2end).toBe(true);
    expect(meta.dynamic).toBe(true);
    expect(parseUltralyticsMetadata({ stride: '32' }).end2end).toBeUndefined();
  });
});
