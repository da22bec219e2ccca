// Inspection log throughput on the local store (DuckDB file): 10,000 boards logged (boards and rows per second),
// and the dashboard's summary query (GET /api/summary) at about 1 million DEFECT_LOGS rows.
//   npx tsx benchmarks/inspection-log.ts          (DEEPPCB_DIR overrides where DeepPCB is read from)
// Boards take their boxes and classes from DeepPCB's 1,000 annotated test images, cycled (scores from a seeded
// generator; every fourth board is its clean template), spread over 4 lines, 3 shifts, 60 days and 2 model versions.
// Prints a table and rewrites the "Inspection log" section of benchmarks/README.md (other sections are left alone).
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '@defectkit/annotations';
import { readDeepPcb } from '@defectkit/annotations/node';
import { boardsFromDetections, openDuckDbInspectionStore, type BoardInspection, type DetectedImage } from '@defectkit/inspection';
import { deeppcbDir } from '../test/support/paths.js';

const LOG_BOARDS = 10_000;
const BATCH = 1_000;
const QUERY_RUNS = 5;
const TARGET_DEFECT_ROWS = 1_000_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const { dataset } = await readDeepPcb(deeppcbDir);
const rand = seededRandom(15);
const source: DetectedImage[] = dataset.images.map((image) => ({
  image: image.path,
  width: image.width,
  height: image.height,
  detections: image.boxes.map((b) => ({ x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, classId: b.classId, label: dataset.classes[b.classId]!, score: 0.25 + 0.75 * rand() })),
}));

/** Boards number `start` .. `start + count - 1`, in batches as successive detect runs would log them. */
function boards(start: number, count: number): BoardInspection[][] {
  const batches: BoardInspection[][] = [];
  for (let first = start; first < start + count; first += BATCH) {
    const n = Math.min(BATCH, start + count - first);
    const k = first / BATCH;
    const results = Array.from({ length: n }, (_, i) => {
      const base = source[(first + i) % source.length]!;
      // Every fourth board is clean (its template); ids must differ, so each board gets its own image name.
      return { ...base, image: `line/${first + i}_${base.image.split('/').pop()}`, detections: (first + i) % 4 === 3 ? [] : base.detections };
    });
    const day = Date.UTC(2026, 9, 1) + (k % 60) * 86_400_000;
    batches.push(boardsFromDetections(results, { modelName: 'pcb-defects', modelVersion: k % 60 < 30 ? 'v1' : 'v2', line: `L${(k % 4) + 1}`, shift: ['A', 'B', 'C'][k % 3]!, at: new Date(day + 3_600_000 * (k % 24)) }));
  }
  return batches;
}

const dir = await mkdtemp(join(tmpdir(), 'dk-bench-inspection-'));
const file = join(dir, 'inspection.duckdb');
const loadBefore = loadavg()[0]!;
const store = await openDuckDbInspectionStore({ file });

// 1. Logging: 10,000 boards in batches of 1,000 (one transaction each), timed end to end.
const first = boards(0, LOG_BOARDS);
let defectRows = 0;
const logStart = performance.now();
for (const batch of first) defectRows += (await store.log(batch)).defects;
const logMs = performance.now() - logStart;
const rowsWritten = LOG_BOARDS * 2 + defectRows; // BOARD_INSPECTIONS + PCB_METADATA + DEFECT_LOGS

// 2. Grow the log to about 1 million defect rows, then time the dashboard's summary (unfiltered and filtered).
let next = LOG_BOARDS;
while (defectRows < TARGET_DEFECT_ROWS) {
  for (const batch of boards(next, 10 * BATCH)) defectRows += (await store.log(batch)).defects;
  next += 10 * BATCH;
}
const totalBoards = next;
const time = async (run: () => Promise<unknown>): Promise<number[]> => {
  await run(); // warm-up: DuckDB's first read of the file
  const times: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times;
};
const queries = [
  { name: 'summary, no filter', run: () => store.summary() },
  { name: 'summary, line L2 and model v2', run: () => store.summary({ line: 'L2', model: 'v2' }) },
  { name: 'summary, 7 days', run: () => store.summary({ from: '2026-10-10', to: '2026-10-16' }) },
  { name: 'view V_DEFECT_RATE_BY_LINE_30D (the golden question)', run: () => store.view('V_DEFECT_RATE_BY_LINE_30D') },
  { name: 'view V_DEFECT_PARETO', run: () => store.view('V_DEFECT_PARETO') },
];
const results: { name: string; times: number[] }[] = [];
for (const q of queries) results.push({ name: q.name, times: await time(q.run) });
await store.close();
const fileMb = (await stat(file)).size / 1024 / 1024;
await rm(dir, { recursive: true, force: true });

const machine = `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, 1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`;
const logTable = [
  '| boards | defect rows | total rows | wall ms | boards/s | rows/s |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  `| ${LOG_BOARDS.toLocaleString("en")} | ${(rowsWritten - LOG_BOARDS * 2).toLocaleString("en")} | ${rowsWritten.toLocaleString('en')} | ${logMs.toFixed(0)} | ${((LOG_BOARDS / logMs) * 1000).toFixed(0)} | ${((rowsWritten / logMs) * 1000).toFixed(0)} |`,
].join('\n');
const queryTable = [
  '| query | median ms | min ms | max ms |',
  '| --- | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | ${median(r.times).toFixed(1)} | ${Math.min(...r.times).toFixed(1)} | ${Math.max(...r.times).toFixed(1)} |`),
].join('\n');
const section = [
  '## Inspection log',
  '',
  `The local inspection log (\`@defectkit/inspection\`, a DuckDB file). Boards carry DeepPCB's annotated boxes and classes (${source.length}`,
  'test images, cycled; seeded scores; every fourth board clean), over 4 lines, 3 shifts, 60 days and 2 model versions.',
  `Logging: ${LOG_BOARDS.toLocaleString('en')} boards in batches of ${BATCH.toLocaleString('en')} (one transaction each, as successive \`detect --log local\` runs),`,
  'rows = BOARD_INSPECTIONS + DEFECT_LOGS + PCB_METADATA. Query: the log grown to',
  `${totalBoards.toLocaleString('en')} boards and ${defectRows.toLocaleString('en')} DEFECT_LOGS rows (file ${fileMb.toFixed(0)} MB), then each query ${QUERY_RUNS} times after one warm-up;`,
  '`summary` is everything `GET /api/summary` answers (8 statements over the views).',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; run it again with \`npx tsx benchmarks/inspection-log.ts\`.`,
  '',
  logTable,
  '',
  queryTable,
  '',
].join('\n');
console.log(`${logTable}\n\n${queryTable}`);

const readme = resolve(import.meta.dirname, 'README.md');
let text = await readFile(readme, 'utf8');
const at = text.indexOf('## Inspection log');
if (at >= 0) {
  const end = text.indexOf('\n## ', at + 1);
  text = text.slice(0, at) + section + (end >= 0 ? text.slice(end + 1) : '');
} else text = `${text.trimEnd()}\n\n${section}`;
const temp = `${readme}.tmp-${process.pid}`;
await writeFile(temp, text);
await rename(temp, readme);
console.log(`wrote the Inspection log section of ${readme}`);
