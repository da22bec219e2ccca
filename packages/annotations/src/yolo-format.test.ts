import { describe, expect, it } from 'vitest';
import { AnnotationParseError } from './errors.js';
import { formatDataYaml, formatYoloLabels, parseDataYaml, parseYoloLabels } from './yolo-format.js';

describe('YOLO labels', () => {
  it('formats normalised centre/size with 6 decimals, one box per line', () => {
    expect(formatYoloLabels([{ x1: 10, y1: 20, x2: 30, y2: 60, classId: 1 }, { x1: 0, y1: 0, x2: 100, y2: 200, classId: 0 }], 100, 200)).toBe(
      '1 0.200000 0.200000 0.200000 0.200000\n0 0.500000 0.500000 1.000000 1.000000\n',
    );
    expect(formatYoloLabels([], 10, 10)).toBe('');
  });

  it('parses to pixel corners with file and line on each box', () => {
    const { boxes, findings } = parseYoloLabels('1 0.2 0.2 0.2 0.2\r\n\n0 0.5 0.5 1 1', 'labels/a.txt', 100, 200, 2);
    expect(findings).toEqual([]);
    expect(boxes.map(({ x1, y1, x2, y2, classId }) => [x1, y1, x2, y2, classId])).toEqual([
      [10, 20, 30, 60, 1],
      [0, 0, 100, 200, 0],
    ]);
    expect(boxes[1]!.source).toEqual({ file: 'labels/a.txt', line: 3 });
  });

  it('reports unknown classes, negative sizes, non-numbers and extra columns, leaving those boxes out', () => {
    const text = '2 0.5 0.5 0.1 0.1\n0 0.5 0.5 -0.1 0.1\n0 0.5 abc 0.1 0.1\n0 0.5 0.5 0.1 0.1 0.3\n1.5 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1';
    const { boxes, findings } = parseYoloLabels(text, 'l.txt', 10, 10, 2);
    expect(boxes).toHaveLength(1);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['unknown-class', 1],
      ['negative-size', 2],
      ['bad-number', 3],
      ['bad-number', 4],
      ['unknown-class', 5],
    ]);
  });
});

describe('data.yaml', () => {
  it('round-trips names and split folders', () => {
    const text = formatDataYaml({ path: '/data/pcb', names: ['open', 'pin-hole'], splits: { train: 'images/train', val: 'images/val' } });
    expect(text).toContain('nc: 2');
    expect(parseDataYaml(text, 'data.yaml')).toEqual({ path: '/data/pcb', names: ['open', 'pin-hole'], splits: { train: 'images/train', val: 'images/val' } });
  });

  it('accepts names as an index map', () => {
    expect(parseDataYaml('names:\n  1: b\n  0: a\ntrain: images\n', 'd.yaml')).toEqual({ names: ['a', 'b'], splits: { train: 'images' } });
  });

  it('throws AnnotationParseError for missing names, bad indices and invalid YAML', () => {
    expect(() => parseDataYaml('train: images\n', 'd.yaml')).toThrow(AnnotationParseError);
    expect(() => parseDataYaml('names:\n  0: a\n  5: b\n', 'd.yaml')).toThrow(/names key "5"/);
    try {
      parseDataYaml('names: [a\ntrain: :\n', 'd.yaml');
      expect.unreachable();
    } catch (error) {
      expect((error as AnnotationParseError).details.file).toBe('d.yaml');
    }
  });
});
