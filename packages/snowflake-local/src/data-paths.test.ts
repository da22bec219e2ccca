import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataPaths, segmentName } from './data-paths.js';
import { SnowflakeSqlError } from './errors.js';

describe('DataPaths: the one containment check', () => {
  const root = mkdtempSync(join(tmpdir(), 'sfl-data-paths-'));
  const paths = new DataPaths(join(root, 'data'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Either a typed 000904 refusal or a path exactly `depth` segments under `base` that decode back to the names. */
  const checkOutcome = (run: () => string, base: string, names: string[]): void => {
    let path: string;
    try {
      path = run();
    } catch (error) {
      expect(error).toBeInstanceOf(SnowflakeSqlError);
      expect((error as SnowflakeSqlError).sfCode).toBe('000904');
      return;
    }
    const segments = relative(base, path).split(sep);
    expect(segments).toHaveLength(names.length);
    expect(segments.map(segmentName)).toEqual(names);
  };

  it('maps any name either inside its folder, one segment per name, or to 000904', () => {
    const name = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('..', '.', '', '/', '\\', '~', '%2e%2e', 'a/..', '..\u0000'), fc.string({ unit: 'grapheme', minLength: 60, maxLength: 120 }));
    fc.assert(
      fc.property(name, name, name, (db, schema, stage) => {
        checkOutcome(() => paths.namedStageDir(db, schema, stage), join(paths.root, 'stages'), [db, schema, stage]);
        checkOutcome(() => paths.databaseFile(db).replace(/\.duckdb$/, ''), join(paths.root, 'databases'), [db]);
      }),
      { numRuns: 400, seed: 20261130 },
    );
  });

  it('keeps stage paths inside the stage and refuses climbing segments', () => {
    const stage = paths.namedStageDir('DB', 'PUBLIC', 'S');
    for (const bad of ['..', 'a/../..', 'a\\b', 'x/\u0001', '../S2']) expect(() => paths.inside(stage, bad)).toThrow(SnowflakeSqlError);
    expect(paths.inside(stage, '/a//b/./c')).toBe(join(stage, 'a', 'b', 'c'));
    expect(() => paths.inside(join(root, 'elsewhere'), 'x')).toThrow(SnowflakeSqlError);
  });

  it('refuses a path through a symbolic link at any depth below the root', () => {
    mkdirSync(join(paths.root, 'stages', 'DB'), { recursive: true });
    symlinkSync(root, join(paths.root, 'stages', 'DB', 'LINKED'));
    expect(() => paths.namedStageDir('DB', 'LINKED', 'S')).toThrow(/symbolic link/);
    expect(() => paths.namedStageDir('DB', 'LINKED', 'S')).toThrow(SnowflakeSqlError);
    expect(paths.namedStageDir('DB', 'REAL', 'S')).toBe(join(paths.root, 'stages', 'DB', 'REAL', 'S'));
  });
});
