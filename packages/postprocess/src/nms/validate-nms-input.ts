import { InvalidArgumentError } from '../errors.js';

/** Checks the shared NMS preconditions: `boxes` is n·4 long, `scores` n, threshold not NaN. */
export function validateNmsInput(boxes: Float32Array, scores: Float32Array, iouThreshold: number, classIds?: Int32Array): void {
  if (boxes.length !== scores.length * 4) {
    throw new InvalidArgumentError(
      'NMS_LENGTH_MISMATCH',
      `boxes must hold 4 numbers per score: got ${boxes.length} box values for ${scores.length} scores`,
      { field: 'boxes', boxesLength: boxes.length, scoresLength: scores.length },
    );
  }
  if (classIds !== undefined && classIds.length !== scores.length) {
    throw new InvalidArgumentError(
      'NMS_LENGTH_MISMATCH',
      `classIds must hold one id per score: got ${classIds.length} ids for ${scores.length} scores`,
      { field: 'classIds', classIdsLength: classIds.length, scoresLength: scores.length },
    );
  }
  if (Number.isNaN(iouThreshold)) {
    throw new InvalidArgumentError('INVALID_NUMBER', 'iouThreshold must be a number, got NaN', { field: 'iouThreshold', value: iouThreshold });
  }
}
