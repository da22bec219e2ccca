import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageSize } from './image-size.js';
import { removeTempFolders, tempFolder, writeTinyImage } from './testing/tiny-images.js';

afterAll(removeTempFolders);

describe('readImageSize', () => {
  it('reads JPEG and PNG sizes from the header', async () => {
    const dir = await tempFolder();
    await writeTinyImage(join(dir, 'a.jpg'), 33, 21);
    await writeTinyImage(join(dir, 'b.png'), 5, 7);
    expect(await readImageSize(join(dir, 'a.jpg'))).toEqual({ ok: true, width: 33, height: 21 });
    expect(await readImageSize(join(dir, 'b.png'))).toEqual({ ok: true, width: 5, height: 7 });
  });

  it('swaps width and height for EXIF orientations that rotate by 90 degrees', async () => {
    const dir = await tempFolder();
    const jpeg = await sharp({ create: { width: 40, height: 10, channels: 3, background: '#888' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    await writeFile(join(dir, 'r.jpg'), jpeg);
    expect(await readImageSize(join(dir, 'r.jpg'))).toEqual({ ok: true, width: 10, height: 40 });
  });

  it('reports missing and unreadable files instead of throwing', async () => {
    const dir = await tempFolder();
    await writeFile(join(dir, 'bad.jpg'), 'not an image');
    expect(await readImageSize(join(dir, 'none.jpg'))).toMatchObject({ ok: false, reason: 'missing' });
    expect(await readImageSize(join(dir, 'bad.jpg'))).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
