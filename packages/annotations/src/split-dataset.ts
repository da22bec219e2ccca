/**
 * Seeded, class-stratified train/val/test splits.
 */
import { SplitSpecError } from './errors.js';
import type { Dataset, ImageRecord, Split } from './model.js';
import { seededRandom, shuffled } from './seeded-random.js';

/** Split fractions, e.g. `{ train: 0.9, val: 0.1 }` (they sum to 1). */
export type SplitRatios = Partial<Record<Split, number>>;

/** `'upstream'` keeps the dataset's own split lists; ratios re-split it. */
export type SplitSpec = 'upstream' | SplitRatios;

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/**
 * Parses `upstream` or `train=0.9,val=0.1` (names train/val/test, fractions >= 0 summing to 1).
 * @example parseSplitSpec('train=0.9,val=0.1') // { train: 0.9, val: 0.1 }
 */
export function parseSplitSpec(spec: string): SplitSpec {
  if (spec.trim() === 'upstream') return 'upstream';
  const ratios: SplitRatios = {};
  for (const part of spec.split(',')) {
    const match = /^\s*(\w+)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (!match) throw new SplitSpecError(`split "${spec}": expected "upstream" or "train=0.9,val=0.1"`, { field: 'split', value: spec });
    const name = match[1] as Split;
    if (!SPLITS.includes(name)) throw new SplitSpecError(`split "${spec}": unknown split "${match[1]}" (train, val or test)`, { field: 'split', value: spec });
    if (ratios[name] !== undefined) throw new SplitSpecError(`split "${spec}": split "${name}" given twice`, { field: 'split', value: spec });
    ratios[name] = Number(match[2]);
  }
  const sum = Object.values(ratios).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new SplitSpecError(`split "${spec}": fractions sum to ${sum}, not 1`, { field: 'split', value: spec });
  return ratios;
}

/**
 * Assigns every image a split. Deterministic for a seed (images are ordered by path first, so reading order
 * does not matter) and stratified: each image is grouped by its rarest class (images without boxes form their
 * own group), and every group is divided in the given proportions, so each class keeps its share in every split.
 * @returns a new dataset (images in the input order, `split` set); the input is not modified.
 * @example splitDataset(dataset, { train: 0.9, val: 0.1 }, 0)
 */
export function splitDataset(dataset: Dataset, ratios: SplitRatios, seed: number): Dataset {
  const names = SPLITS.filter((s) => (ratios[s] ?? 0) > 0);
  const classTotals = new Array<number>(dataset.classes.length).fill(0);
  for (const image of dataset.images) for (const box of image.boxes) classTotals[box.classId] = (classTotals[box.classId] ?? 0) + 1;

  // Group key: the rarest class on the image (ties: lower class id), or -1 for images without boxes.
  const groups = new Map<number, ImageRecord[]>();
  const byPath = [...dataset.images].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const image of byPath) {
    let key = -1;
    for (const box of image.boxes) {
      if (key === -1 || classTotals[box.classId]! < classTotals[key]! || (classTotals[box.classId] === classTotals[key] && box.classId < key)) key = box.classId;
    }
    const group = groups.get(key) ?? [];
    group.push(image);
    groups.set(key, group);
  }

  const random = seededRandom(seed);
  const assigned = new Map<ImageRecord, Split>();
  const totals = new Map<Split, number>(names.map((s) => [s, 0]));
  let done = 0;
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const group = shuffled(groups.get(key)!, random);
    const counts = new Map<Split, number>(names.map((s) => [s, 0]));
    group.forEach((image, index) => {
      // Give the image to the split furthest below its share, counting both this group and the whole dataset:
      // the group term keeps every class in proportion, the global term stops small groups from all rounding
      // the same way (three one-image groups must not all land in train).
      let best = names[0]!;
      let bestScore = -Infinity;
      for (const split of names) {
        const share = ratios[split] ?? 0;
        const score = share * (index + 1) - counts.get(split)! + (share * (done + 1) - totals.get(split)!);
        if (score > bestScore + 1e-12) {
          best = split;
          bestScore = score;
        }
      }
      counts.set(best, counts.get(best)! + 1);
      totals.set(best, totals.get(best)! + 1);
      done++;
      assigned.set(image, best);
    });
  }
  return { ...dataset, images: dataset.images.map((image) => ({ ...image, split: assigned.get(image)! })) };
}
