/**
 * Python 3's `round(x)`: the nearest integer, halves to the even neighbour (`round(360.5) === 360`),
 * unlike `Math.round` which sends halves up. Doubles are exact binary values, so "exactly half" is exact.
 *
 * @example roundHalfEven(360.5) // 360, roundHalfEven(361.5) // 362, roundHalfEven(-0.5) // -0
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
