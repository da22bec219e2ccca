import { cocoImageId } from '@defectkit/core';

/**
 * Lets a COCO results list whose `image_id`s follow the one image-identity rule (`cocoImageId` of the file
 * name, what `defectkit detect --format coco` writes) score against a COCO ground-truth file whose images
 * carry other ids: an `image_id` that is not a ground-truth id but is the rule's id of exactly one
 * ground-truth `file_name` becomes that image's id. Ids of the ground truth are never touched, so a results
 * file made for them reads exactly as pycocotools reads it. Returns the list unchanged when nothing maps.
 */
export function alignResultImageIds(gt: unknown, results: unknown): unknown {
  if (!Array.isArray(results) || typeof gt !== 'object' || gt === null) return results;
  const images = (gt as { images?: unknown }).images;
  if (!Array.isArray(images)) return results;
  const own = new Set<unknown>(images.map((im: { id?: unknown }) => im?.id));
  const byRule = new Map<number, unknown>();
  const ambiguous = new Set<number>();
  for (const im of images as { id?: unknown; file_name?: unknown }[]) {
    if (typeof im?.file_name !== 'string') continue;
    const id = cocoImageId(im.file_name);
    if (byRule.has(id)) ambiguous.add(id);
    byRule.set(id, im.id);
  }
  let changed = false;
  const aligned = results.map((r: unknown) => {
    const entry = r as { image_id?: unknown } | null;
    const id = entry?.image_id;
    if (typeof id !== 'number' || own.has(id) || ambiguous.has(id) || !byRule.has(id)) return r;
    changed = true;
    return { ...entry, image_id: byRule.get(id) };
  });
  return changed ? aligned : results;
}
