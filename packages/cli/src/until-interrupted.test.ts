import { describe, expect, it } from 'vitest';
import { untilInterrupted } from './until-interrupted.js';

describe('untilInterrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`resolves on ${signal} and leaves no listener behind`, async () => {
      const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
      let done = false;
      const waiting = untilInterrupted().then(() => {
        done = true;
      });
      expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual([before[0]! + 1, before[1]! + 1]);
      await Promise.resolve();
      expect(done).toBe(false);
      process.emit(signal);
      await waiting;
      expect(done).toBe(true);
      expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    });
  }
});
