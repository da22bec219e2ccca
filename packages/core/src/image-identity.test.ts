import { describe, expect, it } from 'vitest';
import { cocoImageId, imageFileStem, imageKey } from './image-identity.js';

describe('image identity', () => {
  it('keys an image by its file name, whatever folder or separator', () => {
    expect(imageKey('PCBData/group00041/00041/00041000_test.jpg')).toBe('00041000_test.jpg');
    expect(imageKey('C:\\data\\boards\\a.png')).toBe('a.png');
    expect(imageKey('a.png')).toBe('a.png');
    expect(imageFileStem('x/y/board.v2.png')).toBe('board.v2');
    expect(imageFileStem('.hidden')).toBe('.hidden');
  });

  it('uses a numeric stem (DeepPCB _test suffix dropped) as the COCO id', () => {
    expect(cocoImageId('/any/where/00041000_test.jpg')).toBe(41000);
    expect(cocoImageId('2.jpg')).toBe(2);
    expect(cocoImageId('999999999999.png')).toBe(999_999_999_999);
  });

  it('hashes other names into a range no numeric stem reaches, the same from any folder', () => {
    const id = cocoImageId('boards/left.png');
    expect(id).toBe(cocoImageId('other/place/left.png'));
    expect(id).toBeGreaterThanOrEqual(2 ** 40);
    expect(id).toBeLessThan(2 ** 40 + 2 ** 32);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(cocoImageId('boards/right.png')).not.toBe(id);
    expect(cocoImageId('1234567890123.png')).toBeGreaterThanOrEqual(2 ** 40); // 13 digits: hashed
    expect(cocoImageId('00041000_temp.jpg')).toBeGreaterThanOrEqual(2 ** 40);
    // Checked against an independent BigInt FNV-1a, so a change of the rule cannot pass unnoticed.
    expect(cocoImageId('a.png') - 2 ** 40).toBe(fnvReference('a.png'));
  });
});

/** An independent FNV-1a 32 (BigInt arithmetic) to check the implementation against. */
function fnvReference(text: string): number {
  let hash = 0x811c9dc5n;
  for (const unit of Array.from({ length: text.length }, (_, i) => text.charCodeAt(i))) {
    hash ^= BigInt(unit);
    hash = (hash * 0x01000193n) % 2n ** 32n;
  }
  return Number(hash);
}
