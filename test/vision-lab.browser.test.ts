import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AppServer } from '@defectkit/app';
import type { Detection } from '@defectkit/core';
import { launchChromium, type HeadlessChromium } from './support/chromium.js';
import { imageRoutes, startTestApp, waitForState } from './support/browser-app.js';
import { deeppcbDir, repoRoot } from './support/paths.js';

// The Vision Lab in headless Chromium: open, upload through the file input, see boxes, move the slider, toggle a
// class, download JSON, deep links, the error state, keyboard use and small screens. Screenshots go to
// test-output/ (gitignored); packages/app/docs/vision-lab.png is a copy of one, for the README.

const board = join(deeppcbDir, 'PCBData', 'group13000', '13000', '13000188_test.jpg');
const template = join(deeppcbDir, 'PCBData', 'group13000', '13000', '13000188_temp.jpg');
const outputDir = join(repoRoot, 'test-output');

interface JsonRecord {
  image: string;
  width: number;
  height: number;
  detections: Detection[];
}

const shownJson = async (page: Page): Promise<JsonRecord[]> => JSON.parse((await page.textContent('#detections')) ?? '') as JsonRecord[];

describe('the Vision Lab in headless Chromium', () => {
  let app: AppServer;
  let chromium: HeadlessChromium;
  let page: Page;
  let imageUrls: string[];

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    const images = await imageRoutes([board, template]);
    imageUrls = images.urls;
    app = await startTestApp(images.routes);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  it('opens, loads the model in the page and says which device runs it', async () => {
    await page.goto(app.url);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    expect(await page.textContent('#model-line')).toContain('pcb-defects');
    // Headless Chromium here offers no WebGPU adapter: auto falls back to WASM and says why.
    const device = (await page.textContent('#device-line')) ?? '';
    expect(device).toMatch(/WASM, SIMD, \d+ threads? \(cross-origin isolated\)/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it('detects a board uploaded through the file input and draws its boxes in class colours', async () => {
    await page.setInputFiles('#image-input', board);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const [record] = await shownJson(page);
    expect(record!.image).toBe('13000188_test.jpg');
    expect([record!.width, record!.height]).toEqual([640, 640]);
    expect(record!.detections.length).toBeGreaterThan(0);
    expect(record!.detections.every((d) => d.score > 0.25)).toBe(true);
    // Every box is drawn: the canvas pixel in the middle of each box's left edge has the class colour.
    const colours = await page.evaluate((detections) => {
      const canvas = document.getElementById('view') as HTMLCanvasElement;
      const context = canvas.getContext('2d')!;
      return detections.map((d) => Array.from(context.getImageData(Math.round(d.x1), Math.round((d.y1 + d.y2) / 2), 1, 1).data.slice(0, 3)));
    }, record!.detections);
    const palette: Record<number, number[]> = { 0: [0xe6, 0x9f, 0x00], 1: [0x56, 0xb4, 0xe9], 2: [0x00, 0x9e, 0x73], 3: [0xf0, 0xe4, 0x42], 4: [0x00, 0x72, 0xb2], 5: [0xd5, 0x5e, 0x00] };
    record!.detections.forEach((d, k) => expect(colours[k], `box ${k} (${d.label})`).toEqual(palette[d.classId]));
    expect(await page.textContent('#verdict')).toContain('FAIL');
    const timings = (await page.textContent('#timings')) ?? '';
    for (const stage of ['decode', 'preprocess', 'inference', 'postprocess']) expect(timings).toContain(stage);
    await page.screenshot({ path: join(outputDir, 'vision-lab.png') });
  });

  it('re-filters with the confidence slider (keyboard) and the class toggles, without re-running', async () => {
    const [before] = await shownJson(page);
    const scores = before!.detections.map((d) => d.score).sort((a, b) => a - b);
    await page.focus('#conf-slider');
    // Each ArrowRight adds one step (0.01) until the slider passes the lowest shown score.
    const steps = Math.ceil((scores[0]! - 0.25) / 0.01) + 1;
    for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowRight');
    const conf = Number(await page.inputValue('#conf-slider'));
    expect(conf).toBeGreaterThan(scores[0]!);
    const [after] = await shownJson(page);
    expect(after!.detections).toEqual(before!.detections.filter((d) => d.score > conf));
    expect(await page.textContent('#conf-value')).toBe(conf.toFixed(2));
    const hiddenClass = after!.detections[0]!.classId;
    await page.click(`input[data-class-id="${hiddenClass}"]`);
    const [toggled] = await shownJson(page);
    expect(toggled!.detections).toEqual(after!.detections.filter((d) => d.classId !== hiddenClass));
    expect(await page.textContent(`[data-count-for="${hiddenClass}"]`)).toBe('0');
    await page.click(`input[data-class-id="${hiddenClass}"]`);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
  });

  it('downloads the result JSON (the shape of defectkit detect --format json) and the annotated PNG', async () => {
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    expect(jsonDownload.suggestedFilename()).toBe('13000188_test.json');
    const saved = join(outputDir, 'vision-lab-result.json');
    await jsonDownload.saveAs(saved);
    const downloaded = JSON.parse(readFileSync(saved, 'utf8')) as JsonRecord[];
    expect(downloaded).toEqual(await shownJson(page));
    expect(Object.keys(downloaded[0]!).sort()).toEqual(['detections', 'height', 'image', 'width']);
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-png')]);
    expect(pngDownload.suggestedFilename()).toBe('13000188_test.png');
    const png = join(outputDir, 'vision-lab-annotated.png');
    await pngDownload.saveAs(png);
    expect([...readFileSync(png).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('is keyboard-accessible: the choose button (reached with Tab) opens the file chooser with Enter', async () => {
    await page.focus('#image-input');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('choose-image');
    // Playwright turns on file-chooser interception when the wait starts; one round trip to the page orders that
    // before the key press, or on a busy machine the native (headless: invisible) chooser can open instead.
    const chooserEvent = page.waitForEvent('filechooser');
    await page.evaluate(() => 0);
    await page.keyboard.press('Enter');
    const chooser = await chooserEvent;
    await chooser.setFiles(board);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
  });

  it('answers deep links (?image=&reference=) with state done and the result JSON', async () => {
    await page.goto(`${app.url}?image=${encodeURIComponent(imageUrls[0]!)}&reference=${encodeURIComponent(imageUrls[1]!)}`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const [record] = await shownJson(page);
    expect(record!.image).toBe(new URL(imageUrls[0]!, app.url).href);
    expect(record!.detections.length).toBeGreaterThan(0);
    expect(await page.isVisible('#reference-figure')).toBe(true);
  });

  it('shows the typed error code and message, with state error, when the image cannot be read', async () => {
    await page.goto(`${app.url}?image=/test/images/missing.jpg`);
    expect(await waitForState(page, ['done', 'error'])).toBe('error');
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error-code')).toBe('IMAGE_NOT_FOUND');
    expect(await page.textContent('#error-message')).toContain('/test/images/missing.jpg');
  });

  it('fits a phone and a tablet screen without horizontal scrolling', async () => {
    for (const [width, height] of [[390, 844], [820, 1180]] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${app.url}?image=${encodeURIComponent(imageUrls[0]!)}`);
      expect(await waitForState(page, ['done', 'error'])).toBe('done');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${width}x${height}`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(outputDir, `vision-lab-${width}x${height}.png`), fullPage: true });
    }
  });
});
