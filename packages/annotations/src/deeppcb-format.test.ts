import { describe, expect, it } from 'vitest';
import { deepPcbImagePaths, formatDeepPcbLabels, parseDeepPcbLabels, parseDeepPcbPairList } from './deeppcb-format.js';
import { AnnotationParseError } from './errors.js';

describe('parseDeepPcbLabels', () => {
  it('reads space- and comma-separated lines, 1-based types, CRLF and a last line without newline', () => {
    const { boxes, findings } = parseDeepPcbLabels('10 20 30 40 1\r\n5,6,7,8,6\n\n1.5, 2 ,3.5,4 3', 'g_not/1.txt');
    expect(findings).toEqual([]);
    expect(boxes.map(({ x1, y1, x2, y2, classId }) => [x1, y1, x2, y2, classId])).toEqual([
      [10, 20, 30, 40, 0],
      [5, 6, 7, 8, 5],
      [1.5, 2, 3.5, 4, 2],
    ]);
    expect(boxes.map((b) => b.source)).toEqual([
      { file: 'g_not/1.txt', line: 1 },
      { file: 'g_not/1.txt', line: 2 },
      { file: 'g_not/1.txt', line: 4 },
    ]);
  });

  it('reports unknown types (0 and 7), wrong field counts and non-numbers with file and line, leaving those boxes out', () => {
    const { boxes, findings } = parseDeepPcbLabels('1 2 3 4 0\n1 2 3 4 7\n1 2 3 4\n1 2 x 4 1\n1 2 NaN 4 1\n1 2 3 4 2', 'a.txt', 'a_test.jpg');
    expect(boxes).toHaveLength(1);
    expect(findings.map((f) => [f.rule, f.line, f.file, f.image, f.excludedBoxes])).toEqual([
      ['unknown-class', 1, 'a.txt', 'a_test.jpg', 1],
      ['unknown-class', 2, 'a.txt', 'a_test.jpg', 1],
      ['bad-number', 3, 'a.txt', 'a_test.jpg', 1],
      ['bad-number', 4, 'a.txt', 'a_test.jpg', 1],
      ['bad-number', 5, 'a.txt', 'a_test.jpg', 1],
    ]);
    expect(findings[3]!.message).toContain('x2');
  });

  it('formats boxes back to the same text', () => {
    const text = '10 20 30 40 1\n5 6 7 8 6\n';
    expect(formatDeepPcbLabels(parseDeepPcbLabels(text, 'x').boxes)).toBe(text);
  });
});

describe('parseDeepPcbPairList', () => {
  it('reads pairs with 1-based line numbers, with or without a final newline', () => {
    const text = 'g1/1/10.jpg g1/1_not/10.txt\ng1/1/11.jpg g1/1_not/11.txt';
    expect(parseDeepPcbPairList(text, 'trainval.txt')).toEqual([
      { image: 'g1/1/10.jpg', label: 'g1/1_not/10.txt', line: 1 },
      { image: 'g1/1/11.jpg', label: 'g1/1_not/11.txt', line: 2 },
    ]);
    expect(parseDeepPcbPairList(`${text}\n`, 'trainval.txt')).toHaveLength(2);
  });

  it('throws AnnotationParseError naming file and line for a malformed line', () => {
    try {
      parseDeepPcbPairList('a.jpg a.txt\nonly-one-path\n', 'trainval.txt');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AnnotationParseError);
      expect((error as AnnotationParseError).code).toBe('ANNOTATION_PARSE');
      expect((error as AnnotationParseError).details).toMatchObject({ file: 'trainval.txt', line: 2 });
    }
  });
});

describe('deepPcbImagePaths', () => {
  it('derives the _test and _temp file names from the listed base name', () => {
    expect(deepPcbImagePaths('group1/00041/00041000.jpg')).toEqual({ test: 'group1/00041/00041000_test.jpg', template: 'group1/00041/00041000_temp.jpg' });
  });
});
