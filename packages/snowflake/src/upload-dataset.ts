import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { DatasetFormat } from '@defectkit/annotations';
import { SnowflakeError, UploadError } from './errors.js';
import { fileUrlSql } from './file-url.js';
import { parseStageLocation, quoteQualifiedName, stageLocationSql } from './identifiers.js';
import type { BindValue, SnowflakeSession } from './snowflake-session.js';

/** Progress of {@link uploadDataset}. */
export interface UploadProgress {
  /** Files handled so far (uploaded or skipped). */
  done: number;
  /** Files in the dataset. */
  total: number;
  /** Files skipped because the stage already had them (same size and MD5). */
  skipped: number;
  /** The file just handled (dataset-relative). */
  file: string;
}

/** Options of {@link uploadDataset}. */
export interface UploadDatasetOptions {
  /** The dataset folder. */
  dir: string;
  /** Its format (deeppcb, yolo, voc, coco). */
  format: DatasetFormat;
  /** The stage location, `@DB.SCHEMA.STAGE[/path]` (the stage is created when missing). */
  stage: string;
  /** The label table, `[DB.[SCHEMA.]]NAME` (created when missing). */
  table: string;
  /** Called after each file. */
  onProgress?: (progress: UploadProgress) => void;
  /** Label rows per INSERT (default 1000). */
  batchRows?: number;
}

/** What {@link uploadDataset} did. */
export interface UploadSummary {
  /** Files put on the stage. */
  uploaded: number;
  /** Files already there with the same size and MD5. */
  skipped: number;
  /** Label rows written (one per box). */
  rows: number;
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Uploads a dataset: every image (and DeepPCB template) to the stage, keeping the folder structure (for YOLO also
 * `data.yaml` and the `labels/` files, so a training notebook can read the stage copy as is), and
 * one label row per box into a table. Resumable: files already on the stage with the same size and MD5
 * are skipped, and the label rows of this stage location are replaced, so running it again after a
 * failure finishes the job without duplicates.
 *
 * @example
 * await uploadDataset(session, { dir: 'data/deeppcb', format: 'deeppcb', stage: '@ML.PCB.IMAGES/deeppcb', table: 'ML.PCB.LABELS' });
 */
export async function uploadDataset(session: SnowflakeSession, options: UploadDatasetOptions): Promise<UploadSummary> {
  const location = parseStageLocation(options.stage, 'stage');
  const table = quoteQualifiedName(options.table, 'table');
  const { readDataset } = await import('@defectkit/annotations/node');
  const { dataset, root } = await readDataset(options.dir, options.format);

  const files = new Map<string, string>(); // stage-relative path -> local absolute path
  const stageFile = (local: string): string => {
    const rel = relative(root, local).split(/[\\/]/).join('/');
    if (rel.startsWith('..') || !/^[A-Za-z0-9_.\-/]+$/.test(rel)) {
      throw new SnowflakeError('SNOWFLAKE_IDENTIFIER', `${local}: only files inside the dataset folder with names of letters, digits, _ . - can be staged`, { file: local });
    }
    files.set(rel, local);
    return rel;
  };
  for (const image of dataset.images) {
    for (const path of [image.path, image.templatePath]) {
      if (path !== undefined) stageFile(isAbsolute(path) ? path : resolve(root, path));
    }
  }
  if (options.format === 'yolo') {
    // What a training notebook reads besides the images: data.yaml at the top (its split folders are relative to
    // it; a `path` that does not exist where it runs falls back to the yaml's folder) and each image's label file.
    files.set('data.yaml', resolve(options.dir, 'data.yaml'));
    const { yoloLabelPath } = await import('@defectkit/annotations/node');
    for (const image of dataset.images) {
      const label = resolve(root, yoloLabelPath(relative(root, isAbsolute(image.path) ? image.path : resolve(root, image.path)).split(/[\\/]/).join('/')));
      if (await access(label).then(() => true, () => false)) stageFile(label);
    }
  }

  await session.execute(`CREATE STAGE IF NOT EXISTS ${location.stage}`);
  const existing = new Map<string, { size: number; md5: string }>();
  for (const row of await session.execute(`LIST ${stageLocationSql(location)}`)) {
    const name = String(row.name ?? row.NAME ?? '');
    const inStage = name.slice(name.indexOf('/') + 1); // LIST names start with the stage name
    const rel = location.path === '' ? inStage : inStage.startsWith(`${location.path}/`) ? inStage.slice(location.path.length + 1) : null;
    if (rel !== null) existing.set(rel, { size: Number(row.size ?? row.SIZE), md5: String(row.md5 ?? row.MD5 ?? '') });
  }

  let done = 0;
  let skipped = 0;
  const uploadedFiles: string[] = [];
  for (const [rel, local] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const have = existing.get(rel);
    const size = (await stat(local)).size;
    if (have && have.size === size && have.md5 === (await md5File(local))) {
      skipped++;
    } else {
      const folder = posix.dirname(rel);
      const target = stageLocationSql(location, folder === '.' ? '' : folder);
      try {
        await session.execute(`PUT ${fileUrlSql(local)} ${target}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE`);
      } catch (error) {
        throw new UploadError('SNOWFLAKE_UPLOAD', `upload stopped at ${rel} (${done} of ${files.size} files done); run the same command again to resume`, {
          file: rel,
          done,
          total: files.size,
          uploaded: uploadedFiles,
        }, { cause: error });
      }
      uploadedFiles.push(rel);
    }
    done++;
    options.onProgress?.({ done, total: files.size, skipped, file: rel });
  }

  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${table} (STAGE_LOCATION VARCHAR, IMAGE_PATH VARCHAR, SPLIT VARCHAR, WIDTH INTEGER, HEIGHT INTEGER, CLASS_ID INTEGER, CLASS_NAME VARCHAR, X1 FLOAT, Y1 FLOAT, X2 FLOAT, Y2 FLOAT)`,
  );
  const stageText = stageLocationSql(location);
  await session.execute(`DELETE FROM ${table} WHERE STAGE_LOCATION = ?`, [stageText]);
  const rows: BindValue[][] = [];
  for (const image of dataset.images) {
    const rel = relative(root, isAbsolute(image.path) ? image.path : join(root, image.path)).split(/[\\/]/).join('/');
    for (const box of image.boxes) {
      rows.push([stageText, rel, image.split ?? null, image.width, image.height, box.classId, dataset.classes[box.classId] ?? String(box.classId), box.x1, box.y1, box.x2, box.y2]);
    }
  }
  const batch = Math.max(1, options.batchRows ?? 1000);
  for (let start = 0; start < rows.length; start += batch) {
    await session.execute(
      `INSERT INTO ${table} (STAGE_LOCATION, IMAGE_PATH, SPLIT, WIDTH, HEIGHT, CLASS_ID, CLASS_NAME, X1, Y1, X2, Y2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rows.slice(start, start + batch),
    );
  }
  return { uploaded: uploadedFiles.length, skipped, rows: rows.length };
}
