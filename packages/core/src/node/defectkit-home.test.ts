import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defectkitCacheDir, defectkitHome } from './defectkit-home.js';

describe('defectkitHome', () => {
  it('is DEFECTKIT_HOME when set, else ~/.defectkit (an empty value counts as unset)', () => {
    expect(defectkitHome({ DEFECTKIT_HOME: '/data/dk' })).toBe('/data/dk');
    expect(defectkitHome({})).toBe(join(homedir(), '.defectkit'));
    expect(defectkitHome({ DEFECTKIT_HOME: '' })).toBe(join(homedir(), '.defectkit'));
  });

  it('the cache is DEFECTKIT_CACHE_DIR, else under DEFECTKIT_HOME, else the XDG cache', () => {
    expect(defectkitCacheDir({ DEFECTKIT_CACHE_DIR: '/c', DEFECTKIT_HOME: '/h' })).toBe('/c');
    expect(defectkitCacheDir({ DEFECTKIT_HOME: '/h' })).toBe(join('/h', 'cache'));
    expect(defectkitCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'defectkit'));
    expect(defectkitCacheDir({})).toBe(join(homedir(), '.cache', 'defectkit'));
  });
});
