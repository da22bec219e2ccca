// Pure (in-memory) round trips through the text formats, property-based: YOLO -> VOC -> COCO -> YOLO.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cocoImageId } from '@defectkit/core';
import { formatCocoJson, parseCocoJson } from './coco-format.js';
import type { ImageRecord } from './model.js';
import { formatVocXml, parseVocXml } from './voc-format.js';
import { formatYoloLabels, parseYoloLabels } from './yolo-format.js';

const classes = ['open', 'short', 'mousebite'];
const micro = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => n / 1e6);
const yoloLine = fc.tuple(fc.integer({ min: 0, max: 2 }), micro(0, 1_000_000), micro(0, 1_000_000), micro(1, 1_000_000), micro(1, 1_000_000));

describe('YOLO -> VOC -> COCO -> YOLO (in memory)', () => {
  it('keeps every box within 1e-6 normalised, and the class', () => {
    fc.assert(
      fc.property(fc.array(yoloLine, { maxLength: 12 }), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 }), (lines, width, height) => {
        const text = lines.map(([c, ...v]) => `${c} ${v.map((x) => x.toFixed(6)).join(' ')}`).join('\n');
        const fromYolo = parseYoloLabels(text, 'a.txt', width, height, classes.length);
        expect(fromYolo.findings).toEqual([]);
        const voc = parseVocXml(formatVocXml({ filename: 'a.jpg', width, height, boxes: fromYolo.boxes }, classes), 'a.xml', classes);
        const image: ImageRecord = { path: 'a.jpg', width, height, boxes: voc.boxes };
        const coco = parseCocoJson(formatCocoJson({ classes }, [image], () => 'a.jpg'), 'c.json');
        const back = formatYoloLabels(coco.images[0]!.boxes, width, height).trim();
        const got = back === '' ? [] : back.split('\n').map((l) => l.split(' ').map(Number));
        expect(got).toHaveLength(lines.length);
        got.forEach((row, i) => {
          expect(row[0]).toBe(lines[i]![0]);
          for (let k = 1; k < 5; k++) expect(Math.abs(row[k]! - lines[i]![k]!)).toBeLessThanOrEqual(1e-6);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('COCO', () => {
  const text = JSON.stringify({
    images: [{ id: 10, file_name: 'a.jpg', width: 100, height: 80 }],
    annotations: [
      { id: 5, image_id: 10, category_id: 7, bbox: [1, 2, 3, 4], area: 9.5, iscrowd: 1 },
      { id: 6, image_id: 10, category_id: 3, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 },
    ],
    categories: [{ id: 7, name: 'short' }, { id: 3, name: 'open' }],
  });

  it('keeps sparse category ids as a mapping (classes ordered by id), iscrowd, area and ids', () => {
    const parsed = parseCocoJson(text, 'x.json');
    expect(parsed.classes).toEqual(['open', 'short']);
    expect(parsed.categoryIds).toEqual([3, 7]);
    expect(parsed.images[0]!.boxes.map(({ classId, iscrowd, area, id }) => ({ classId, iscrowd, area, id }))).toEqual([
      { classId: 1, iscrowd: true, area: 9.5, id: 5 },
      { classId: 0, iscrowd: false, area: 1200, id: 6 },
    ]);
    const again = JSON.parse(formatCocoJson({ classes: parsed.classes, categoryIds: parsed.categoryIds }, [{ path: 'a.jpg', width: 100, height: 80, id: 10, boxes: parsed.images[0]!.boxes }], () => 'a.jpg'));
    expect(again.categories).toEqual([{ id: 3, name: 'open' }, { id: 7, name: 'short' }]);
    expect(again.annotations).toEqual([
      { id: 5, image_id: 10, category_id: 7, bbox: [1, 2, 3, 4], area: 9.5, iscrowd: 1 },
      { id: 6, image_id: 10, category_id: 3, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 },
    ]);
  });

  it('writes image ids by the image-identity rule and 1-based annotation ids when the dataset has none, and w*h as area', () => {
    const out = JSON.parse(formatCocoJson({ classes: ['a', 'b'] }, [{ path: 'p.jpg', width: 9, height: 9, boxes: [{ x1: 1, y1: 1, x2: 4, y2: 3, classId: 1 }] }], () => 'p.jpg'));
    expect(out.categories).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    expect(out.annotations[0]).toEqual({ id: 1, image_id: cocoImageId('p.jpg'), category_id: 2, bbox: [1, 1, 3, 2], area: 6, iscrowd: 0 });
  });

  it('reports unknown categories, unlisted images, bad bboxes and negative sizes with their lines', () => {
    const bad = [
      '{"images": [{"id": 1, "file_name": "a.jpg"}],',
      ' "annotations": [',
      '  {"id": 1, "image_id": 1, "category_id": 9, "bbox": [1, 2, 3, 4]},',
      '  {"id": 2, "image_id": 4, "category_id": 1, "bbox": [1, 2, 3, 4]},',
      '  {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1, "x", 3, 4]},',
      '  {"id": 4, "image_id": 1, "category_id": 1, "bbox": [1, 2, -3, 4]}',
      ' ],',
      ' "categories": [{"id": 1, "name": "open"}]}',
    ].join('\n');
    expect(parseCocoJson(bad, 'b.json').findings.map((f) => [f.rule, f.line])).toEqual([
      ['unknown-class', 3],
      ['missing-image', 4],
      ['bad-number', 5],
      ['negative-size', 6],
    ]);
  });

  it('throws AnnotationParseError for invalid JSON and missing arrays', () => {
    expect(() => parseCocoJson('{"images": [', 'c.json')).toThrow(/c\.json.*not valid JSON/);
    expect(() => parseCocoJson('{"images": []}', 'c.json')).toThrow(/"annotations" is missing/);
  });
});

describe('VOC', () => {
  it('parses objects with the line of each <object>, keeping coordinates as written', () => {
    const xml = '<annotation>\n <filename>a.jpg</filename>\n <size><width>64</width><height>48</height></size>\n <object>\n  <name>short</name>\n  <bndbox><xmin>1.5</xmin><ymin>2</ymin><xmax>10</xmax><ymax>20</ymax></bndbox>\n </object>\n</annotation>';
    const parsed = parseVocXml(xml, 'Annotations/a.xml', classes);
    expect(parsed).toMatchObject({ filename: 'a.jpg', width: 64, height: 48, findings: [] });
    expect(parsed.boxes).toEqual([{ x1: 1.5, y1: 2, x2: 10, y2: 20, classId: 1, source: { file: 'Annotations/a.xml', line: 4 } }]);
  });

  it('reports unknown names and bad coordinates; throws for broken XML with its line', () => {
    const xml = '<annotation><filename>a.jpg</filename>\n<object><name>nope</name></object>\n<object><name>open</name><bndbox><xmin>q</xmin></bndbox></object></annotation>';
    expect(parseVocXml(xml, 'a.xml', classes).findings.map((f) => [f.rule, f.line])).toEqual([
      ['unknown-class', 2],
      ['bad-number', 3],
    ]);
    expect(() => parseVocXml('<annotation>\n<filename>a</filename>\n<object></annotation>', 'b.xml', classes)).toThrow(/b\.xml:3/);
  });
});
