import { sampleModelCard } from '@defectkit/detector/testing';

/** The model card the registry-package tests emit a handler for (320x320 RGB, six classes, Ultralytics raw layout). */
export const testCard = sampleModelCard({
  classes: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'],
  input: { width: 320, height: 320, channels: 3, stride: 32 },
});
