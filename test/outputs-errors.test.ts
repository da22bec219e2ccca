// Every failure a user can cause ends in a typed error with a code and the file it concerns, never a stack trace:
// full disks, folders where files go and files where folders go, unreadable lists, bad binds sent to snowflake-local.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { writeTinyImage } from '../packages/annotations/src/node/testing/tiny-images.js';
import { expectSqlFailure, rawLogin, rawQuery, rawRequest } from '../packages/snowflake-local/test/attack-harness.js';
import { cli } from './support/run-cli.js';
import { systemPython } from './support/paths.js';

let dir: string;
let model: string;
let image: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'defectkit-typed-errors-'));
  model = makeTinyModel(join(dir, 'model'), systemPython);
  image = join(dir, 'in', 'board.jpg');
  await writeTinyImage(image, 64, 48);
  writeFileSync(join(dir, 'a-file'), 'x');
  mkdirSync(join(dir, 'a-folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI turns file-system failures into typed errors naming the file', () => {
  const cases: [string, (d: string) => string[], string, (d: string) => string][] = [
    ['a full disk (/dev/full)', () => ['detect', image, '--out', '/dev/full'], 'DISK_FULL', () => '/dev/full'],
    ['a folder where the results file goes', (d) => ['detect', image, '--out', join(d, 'a-folder')], 'IS_A_FOLDER', (d) => join(d, 'a-folder')],
    ['a file where the results folder goes', (d) => ['detect', image, '--format', 'yolo', '--out', join(d, 'a-file')], 'NOT_A_FOLDER', (d) => join(d, 'a-file')],
    ['a file in the middle of the results path', (d) => ['detect', image, '--out', join(d, 'a-file', 'r.json')], 'NOT_A_FOLDER', (d) => join(d, 'a-file', 'r.json')],
    ['a file where the annotated folder goes', (d) => ['detect', image, '--save-annotated', join(d, 'a-file')], 'NOT_A_FOLDER', (d) => join(d, 'a-file')],
    ['a missing image list', (d) => ['detect', '--from-list', join(d, 'no-list.txt')], 'FILE_NOT_FOUND', (d) => join(d, 'no-list.txt')],
    ['a folder given as the image list', (d) => ['detect', '--from-list', join(d, 'a-folder')], 'IS_A_FOLDER', (d) => join(d, 'a-folder')],
    ['a file in the middle of the converted output', (d) => ['convert', '--from', 'yolo', '--to', 'coco', '--input', join(d, 'a-folder'), '--output', join(d, 'a-file', 'x')], 'DATASET_LAYOUT', (d) => join(d, 'a-folder')],
    ['a missing prediction file', (d) => ['eval', '--gt', join(d, 'a-file'), '--pred', join(d, 'none.json'), '--protocol', 'coco'], 'FILE_NOT_FOUND', (d) => join(d, 'none.json')],
  ];
  for (const [name, args, code, file] of cases) {
    it(`${name}: ${code}`, async () => {
      const run = await cli(...args(dir), ...(args(dir)[0] === 'detect' ? ['--model', model] : []));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error ${code}: `);
      expect(run.stderr).toContain(file(dir));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain('INTERNAL');
      // Output problems are found before any image runs.
      if (args(dir)[0] === 'detect' && code !== 'DISK_FULL') expect(run.stderr).not.toMatch(/^image 1\//m);
    });
  }

  it('leaves no temporary files behind after a failed write', () => {
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(join(dir, 'a-folder'))).toEqual([]);
  });
});

describe('snowflake-local answers malformed binds with a Snowflake error, not an internal one', () => {
  let server: SnowflakeLocal;
  let token: string;
  beforeAll(async () => {
    server = await startSnowflakeLocal({ port: 0, dir: join(dir, 'sfl') });
    token = await rawLogin(server, 'defectkit', 'defectkit');
  });
  afterAll(() => server.close());

  const malformed: [string, unknown][] = [
    ['a null entry', { '1': null }],
    ['a number as type', { '1': { type: 42, value: '1' } }],
    ['an object as type', { '1': { type: { x: 1 }, value: '1' } }],
    ['an array of binds', [{ type: 'TEXT', value: 'a' }]],
    ['a string', 'nope'],
    ['an entry that is a string', { '1': 'TEXT' }],
    ['an object value', { '1': { type: 'TEXT', value: { a: 1 } } }],
    ['a missing placeholder', { '2': { type: 'TEXT', value: 'a' } }],
    ['a DATE past the end of time', { '1': { type: 'DATE', value: '99999999999999999999' } }],
    ['a TIMESTAMP past the end of time', { '1': { type: 'TIMESTAMP_NTZ', value: '99999999999999999999999999' } }],
  ];
  for (const [name, bindings] of malformed) {
    it(`${name}`, async () => {
      const answer = await rawQuery(server, token, 'select ? as v', { bindings });
      expectSqlFailure(answer, ['002049']);
      expect(String(answer.message)).not.toMatch(/toUpperCase|Cannot read properties|TypeError/);
    });
  }

  it('refuses request bodies that are JSON but not an object with HTTP_BAD_BODY, on every endpoint', async () => {
    const endpoints = ['/session/v1/login-request?databaseName=TESTDB', '/queries/v1/query-request', '/queries/v1/abort-request'];
    for (const path of endpoints) {
      for (const body of ['null', '[]', '"text"', '42', 'true']) {
        const answer = await rawRequest(server, { path, headers: { 'content-type': 'application/json', authorization: `Snowflake Token="${token}"` }, body });
        expect(answer.status, `${path} ${body}`).toBe(400);
        expect(answer.json).toMatchObject({ success: false, code: 'HTTP_BAD_BODY' });
        expect(answer.body).not.toMatch(/Cannot read properties|TypeError/);
      }
    }
  });

  it('still answers afterwards', async () => {
    const answer = await rawQuery(server, token, 'select ? as v', { bindings: { '1': { type: 'TEXT', value: 'ok' } } });
    expect(answer.success).toBe(true);
  });
});
