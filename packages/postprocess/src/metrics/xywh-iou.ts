/** IoU of two `[x, y, w, h]` boxes in float64 with w·h areas and no +1 (0 without positive overlap). */
export function xywhIou(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  if (w <= 0) return 0;
  const h = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  if (h <= 0) return 0;
  const inter = w * h;
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}
