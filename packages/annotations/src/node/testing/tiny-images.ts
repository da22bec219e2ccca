// Test helpers (not exported from the package): tiny real image files and folders for reader/writer tests.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** Writes a small grey JPEG (or PNG when the name ends in .png) of the given size, creating parent folders. */
export async function writeTinyImage(file: string, width: number, height: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const image = sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } });
  await writeFile(file, await (file.endsWith('.png') ? image.png() : image.jpeg()).toBuffer());
}

/** Writes a text file, creating parent folders. */
export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

const created: string[] = [];

/** A fresh temporary folder for one test (removed by `removeTempFolders`). */
export async function tempFolder(prefix = 'defectkit-annotations-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder `tempFolder` made in this test file (call it in `afterAll`). */
export async function removeTempFolders(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * Builds a small DeepPCB folder in the upstream layout: `PCBData/group00001/00001/<id>_test.jpg`, `_temp.jpg`,
 * `00001_not/<id>.txt` and `trainval.txt` listing the pairs (last line without newline).
 */
export async function writeDeepPcbFixture(dir: string, labels: Record<string, string>, size = { width: 64, height: 48 }): Promise<void> {
  const ids = Object.keys(labels);
  for (const id of ids) {
    await writeTinyImage(join(dir, 'PCBData/group00001/00001', `${id}_test.jpg`), size.width, size.height);
    await writeTinyImage(join(dir, 'PCBData/group00001/00001', `${id}_temp.jpg`), size.width, size.height);
    await writeText(join(dir, 'PCBData/group00001/00001_not', `${id}.txt`), labels[id]!);
  }
  await writeText(join(dir, 'PCBData/trainval.txt'), ids.map((id) => `group00001/00001/${id}.jpg group00001/00001_not/${id}.txt`).join('\n'));
}
