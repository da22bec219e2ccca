/** IoU of boxes i and j of flat xyxy arrays, in float64, no +1; 0 when the union is not positive. */
export function boxIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const ax1 = a[i * 4]!;
  const ay1 = a[i * 4 + 1]!;
  const ax2 = a[i * 4 + 2]!;
  const ay2 = a[i * 4 + 3]!;
  const bx1 = b[j * 4]!;
  const by1 = b[j * 4 + 1]!;
  const bx2 = b[j * 4 + 2]!;
  const by2 = b[j * 4 + 3]!;
  const w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const h = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (!(w > 0 && h > 0)) return 0;
  const inter = w * h;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}
