import { describe, expect, it } from 'vitest';
import { uniqueNames } from './unique-names.js';

const choice = (preferred: string, specific: string) => ({ preferred, specific });

describe('uniqueNames', () => {
  it('keeps preferred names when they are unique', () => {
    expect(uniqueNames([choice('a.txt', 'x__a.txt'), choice('b.txt', 'y__b.txt')])).toEqual(['a.txt', 'b.txt']);
  });

  it('gives namesakes their specific names, case-insensitively', () => {
    expect(uniqueNames([choice('a.txt', 'x__a.txt'), choice('b.txt', 'x__b.txt'), choice('A.txt', 'y__A.txt')])).toEqual(['x__a.txt', 'b.txt', 'y__A.txt']);
  });

  it('numbers names that are still shared, never taking a name another item keeps', () => {
    const names = uniqueNames([choice('a.txt', 'a.txt'), choice('a.txt', 'a.txt'), choice('a-2.txt', 'z__a-2.txt'), choice('a.txt', 'a.txt')]);
    expect(names).toEqual(['a.txt', 'a-3.txt', 'a-2.txt', 'a-4.txt']);
  });

  it('always returns distinct names for many collisions', () => {
    const items = Array.from({ length: 500 }, (_, i) => choice(i % 3 === 0 ? 'X.png' : 'x.png', i % 2 === 0 ? 'd__x.png' : 'D__x.png'));
    const names = uniqueNames(items);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(500);
    expect(uniqueNames(items)).toEqual(names); // deterministic
  });
});
