/** Largest n for which index and score bits fit in one exactly representable double key. */
const PACK_LIMIT = 1 << 21;
const PACK_SCALE = PACK_LIMIT;

/**
 * Indices sorted by score descending with torch's stable-sort semantics: equal scores keep index order,
 * NaN counts as the largest value (first), -0 equals +0. Scores must be float32 values.
 *
 * For speed the float32 bit pattern (mapped to an order-preserving unsigned int) and the index are packed
 * into one double and sorted natively, without a comparator.
 */
export function stableDescendingOrder(scores: Float32Array): Int32Array {
  const n = scores.length;
  const order = new Int32Array(n);
  if (n >= PACK_LIMIT) return comparatorOrder(scores, order);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.byteLength >>> 2);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    let rank: number; // 0 = first in the output
    if (s !== s) rank = 0;
    else if (s === 0) rank = 0x80000000;
    else {
      const b = bits[i]!;
      // Monotone map of float32 bits to [0, 2^32): negative floats flip all bits, positive set the sign bit.
      const sortable = b >= 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      rank = 0xffffffff - sortable + 1;
    }
    keys[i] = rank * PACK_SCALE + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i]! % PACK_SCALE;
  return order;
}

function comparatorOrder(scores: Float32Array, order: Int32Array): Int32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    const na = sa !== sa;
    const nb = sb !== sb;
    if (na || nb) return na && nb ? a - b : na ? -1 : 1;
    return sb > sa ? 1 : sb < sa ? -1 : a - b;
  });
}
