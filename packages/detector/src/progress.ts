import type { DefectKitError } from '@defectkit/core';
import type { DetectionResult } from './detection-result.js';

/** The events a long detection job emits, for a CLI progress bar or a UI. */
export interface DetectorEvents {
  start: { total: number | undefined };
  image: { index: number; image: string; result?: DetectionResult; error?: DefectKitError };
  done: { images: number; failed: number; elapsedMs: number };
}

/** A listener for one event type. */
export type DetectorListener<K extends keyof DetectorEvents> = (event: DetectorEvents[K]) => void;

/** A minimal typed event emitter (no Node `events` import, so it runs in browsers). */
export class ProgressEmitter {
  private readonly listeners: { [K in keyof DetectorEvents]?: Set<DetectorListener<K>> } = {};

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void {
    let set = this.listeners[type] as Set<DetectorListener<K>> | undefined;
    if (!set) {
      set = new Set();
      (this.listeners as Record<K, Set<DetectorListener<K>>>)[type] = set;
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof DetectorEvents>(type: K, event: DetectorEvents[K]): void {
    const set = this.listeners[type] as Set<DetectorListener<K>> | undefined;
    if (set) for (const listener of set) listener(event);
  }
}
