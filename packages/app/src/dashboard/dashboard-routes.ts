import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DefectKitError, InvalidArgumentError } from '@defectkit/core';
import type { InspectionFilter, InspectionSource } from '@defectkit/inspection';
import type { AppRoute } from '../app-server.js';
import { sendError } from '../app-server.js';
import { bundlePage } from '../page-bundle.js';
import { publicDir } from '../app-files.js';
import { sendBody } from '../served-files.js';

/** Errors the caller made (a bad filter, an unknown defect): 400 with the typed error, never 500. */
const CLIENT_ERRORS = new Set(['INSPECTION_INPUT', 'INSPECTION_REVIEW', 'INVALID_OPTION']);

const sendJsonBody = (req: IncomingMessage, res: ServerResponse, value: unknown): void => sendBody(req, res, JSON.stringify(value), 'application/json; charset=utf-8');

/** Query parameters a filter takes; anything else, or a value over 100 characters, is refused. */
function filterOf(url: URL, extra: readonly string[] = []): InspectionFilter & Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!['from', 'to', 'line', 'model', ...extra].includes(key)) throw new InvalidArgumentError('INVALID_OPTION', `unknown query parameter ${key.slice(0, 40)}: use from, to, line, model${extra.map((e) => `, ${e}`).join('')}`, { field: key.slice(0, 40) });
    if (value.length > 100) throw new InvalidArgumentError('INVALID_OPTION', `${key} is longer than 100 characters`, { field: key });
    if (value !== '') out[key] = value;
  }
  return out;
}

function stringField(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new InvalidArgumentError('MISSING_OPTION', `the request body needs ${key}`, { field: key });
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 200) throw new InvalidArgumentError('INVALID_OPTION', `${key} must be a string of at most 200 characters`, { field: key });
  return value;
}

/** Wraps a handler: caller mistakes answer 400 with the typed error; anything else reaches the app's 500. */
function answering(handle: AppRoute['handle']): AppRoute['handle'] {
  return async (req, res, url, body) => {
    try {
      await handle(req, res, url, body);
    } catch (error) {
      if (DefectKitError.isInstance(error) && (CLIENT_ERRORS.has(error.code) || error.code === 'MISSING_OPTION')) return sendError(req, res, 400, error);
      throw error;
    }
  };
}

/**
 * The dashboard and review pages of `defectkit serve` and their JSON API, reading the inspection log through
 * `source` (the local DuckDB file by default, or Snowflake: the same views either way):
 *
 * - `GET /dashboard`, `GET /review`: the pages (scripts bundled at start with esbuild, ECharts included);
 * - `GET /api/summary?from&to&line&model`: {@link InspectionSummary} (boards, passed, failed, yield,
 *   defectsByClass, falseCallRate, trend, lineShift, falseCallTrend, lines, models);
 * - `GET /api/defects?from&to&line&model&unreviewed=1&limit=N`: DEFECT_LOGS rows for review;
 * - `POST /api/review` `{ defectId, verdict: 'true_defect' | 'false_call', reviewer? }`;
 * - `POST /api/missed` `{ inferenceId, detectedClass, boundingBox?: [x1, y1, x2, y2], reviewer? }`.
 *
 * @example
 * const app = await startAppServer({ routes: await dashboardRoutes(inspectionSource('local')) });
 */
export async function dashboardRoutes(source: InspectionSource): Promise<AppRoute[]> {
  const [dashboardJs, reviewJs, dashboardHtml, reviewHtml, css] = await Promise.all([
    bundlePage('dashboard'),
    bundlePage('review'),
    readFile(join(publicDir, 'dashboard.html')),
    readFile(join(publicDir, 'review.html')),
    readFile(join(publicDir, 'dashboard.css')),
  ]);
  const page = (body: string | Uint8Array, type: string): AppRoute['handle'] => (req, res) => sendBody(req, res, body, type);
  return [
    { path: '/dashboard', handle: page(dashboardHtml, 'text/html; charset=utf-8') },
    { path: '/review', handle: page(reviewHtml, 'text/html; charset=utf-8') },
    { path: '/dashboard.js', handle: page(dashboardJs, 'text/javascript; charset=utf-8') },
    { path: '/review.js', handle: page(reviewJs, 'text/javascript; charset=utf-8') },
    { path: '/dashboard.css', handle: page(css, 'text/css; charset=utf-8') },
    {
      path: '/api/summary',
      handle: answering(async (req, res, url) => {
        const filter = filterOf(url);
        sendJsonBody(req, res, await source.use((store) => store.summary(filter)));
      }),
    },
    {
      path: '/api/defects',
      handle: answering(async (req, res, url) => {
        const { unreviewed, limit, ...filter } = filterOf(url, ['unreviewed', 'limit']);
        const n = limit === undefined ? 200 : Number(limit);
        const rows = await source.use((store) => store.defects({ ...filter, ...(unreviewed === '1' ? { unreviewed: true } : {}), limit: n }));
        sendJsonBody(req, res, rows);
      }),
    },
    {
      path: '/api/review',
      method: 'POST',
      handle: answering(async (req, res, _url, body = {}) => {
        const defectId = stringField(body, 'defectId', true)!;
        const verdict = stringField(body, 'verdict', true) as 'true_defect' | 'false_call';
        const reviewer = stringField(body, 'reviewer', false) ?? null;
        await source.use((store) => store.review({ defectId, verdict, reviewer }));
        sendJsonBody(req, res, { defectId, verdict });
      }),
    },
    {
      path: '/api/missed',
      method: 'POST',
      handle: answering(async (req, res, _url, body = {}) => {
        const inferenceId = stringField(body, 'inferenceId', true)!;
        const detectedClass = stringField(body, 'detectedClass', true)!;
        const reviewer = stringField(body, 'reviewer', false) ?? null;
        const box = body.boundingBox;
        if (box !== undefined && box !== null && !(Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
          throw new InvalidArgumentError('INVALID_OPTION', 'boundingBox must be [x1, y1, x2, y2] in pixels', { field: 'boundingBox' });
        }
        const defectId = await source.use((store) =>
          store.addMissed({ inferenceId, detectedClass, boundingBox: Array.isArray(box) ? (box as [number, number, number, number]) : null, reviewer }),
        );
        sendJsonBody(req, res, { defectId });
      }),
    },
  ];
}
