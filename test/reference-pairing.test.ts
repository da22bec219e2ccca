import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTemplateImage, pairReferences, referencePathOf } from '@defectkit/backend-node';

const root = mkdtempSync(join(tmpdir(), 'defectkit-ref-pairs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function touch(...parts: string[]): string {
  const path = join(root, ...parts);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
  return path;
}

describe('pairReferences', () => {
  it('auto: X_test.jpg pairs with X_temp.jpg beside it (same extension)', () => {
    const a = touch('boards', '00041000_test.jpg');
    const ta = touch('boards', '00041000_temp.jpg');
    const b = touch('boards', 'sub', 'x_test.png');
    const tb = touch('boards', 'sub', 'x_temp.png');
    expect(pairReferences([a, b], 'auto')).toEqual([
      { image: a, reference: ta },
      { image: b, reference: tb },
    ]);
    expect(isTemplateImage(ta)).toBe(true);
    expect(isTemplateImage(a)).toBe(false);
  });

  it('a folder: the file of the same name there, never outside it', () => {
    const a = touch('scans', 'board-1.jpg');
    const ra = touch('golden', 'board-1.jpg');
    expect(pairReferences([a], { folder: join(root, 'golden') })).toEqual([{ image: a, reference: ra }]);
    expect(referencePathOf(join(root, 'scans', '..', '..', 'etc', 'passwd'), { folder: join(root, 'golden') })).toBe(join(root, 'golden', 'passwd'));
  });

  it('a missing reference is REFERENCE_MISSING naming the first image, the expected file and every image without one', () => {
    const a = touch('lonely', '00050000_test.jpg');
    const b = touch('lonely', '00050001_test.jpg');
    const c = touch('lonely', 'board.jpg');
    touch('lonely', '00050001_temp.jpg');
    let error: any;
    try {
      pairReferences([a, b, c], 'auto');
    } catch (e) {
      error = e;
    }
    expect(error?.code).toBe('REFERENCE_MISSING');
    expect(error.message).toContain(`${a}: no reference ${join(root, 'lonely', '00050000_temp.jpg')}`);
    expect(error.message).toContain('and 1 other image(s) without a reference');
    expect(error.details).toMatchObject({ file: a, missing: [a, c] });
    expect(() => pairReferences([c], 'auto')).toThrow(/board\.jpg: auto pairing needs DeepPCB naming/);
    expect(() => pairReferences([a], { folder: join(root, 'golden') })).toThrow(expect.objectContaining({ code: 'REFERENCE_MISSING' }));
  });
});
