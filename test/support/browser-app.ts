import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sendBody, startAppServer, type AppRoute, type AppServer } from '@defectkit/app';
import type { Page } from 'playwright-core';

/** Routes serving image files at `/test/images/<file name>` (same origin as the page), with their URLs. */
export async function imageRoutes(files: readonly string[]): Promise<{ routes: AppRoute[]; urls: string[] }> {
  const routes: AppRoute[] = [];
  const urls: string[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const path = `/test/images/${basename(file)}`;
    routes.push({ path, handle: (req, res) => sendBody(req, res, bytes, 'image/jpeg') });
    urls.push(path);
  }
  return { routes, urls };
}

/** Starts `defectkit serve`'s app on a free port with extra test routes. */
export function startTestApp(routes: readonly AppRoute[] = []): Promise<AppServer> {
  return startAppServer({ port: 0, routes });
}

/** Waits until the Vision Lab reaches one of `states` (`document.body.dataset.state`) and returns it. */
export async function waitForState(page: Page, states: readonly string[], timeout = 120_000): Promise<string> {
  await page.waitForFunction((wanted) => wanted.includes(document.body.dataset.state ?? ''), states, { timeout });
  return page.evaluate(() => document.body.dataset.state ?? '');
}
