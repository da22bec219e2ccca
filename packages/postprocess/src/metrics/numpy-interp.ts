/**
 * numpy `interp(x, xp, fp)` for one x with non-decreasing `xp` (duplicates allowed): the largest j with
 * xp[j] ≤ x, exact value on a knot, linear between knots, clamped to fp[0] / fp[last] outside.
 */
export function interp(x: number, xp: readonly number[], fp: readonly number[]): number {
  const n = xp.length;
  if (x < xp[0]!) return fp[0]!;
  if (x > xp[n - 1]!) return fp[n - 1]!;
  if (x === xp[n - 1]) return fp[n - 1]!;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (x >= xp[mid]!) lo = mid + 1;
    else hi = mid;
  }
  const j = lo - 1;
  if (j >= n - 1) return fp[n - 1]!;
  if (xp[j] === x) return fp[j]!;
  const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
  return slope * (x - xp[j]!) + fp[j]!;
}

/** numpy `trapz(y, x)`: Σ (x[i+1] − x[i]) · (y[i+1] + y[i]) / 2. */
export function trapezoid(y: readonly number[], x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length - 1; i++) sum += ((x[i + 1]! - x[i]!) * (y[i + 1]! + y[i]!)) / 2;
  return sum;
}
