/** The model card the registry-package tests emit a handler for (320x320 RGB, six classes, Ultralytics raw layout). */
export const testCard = {
  format: 'defectkit.model-card/v1',
  name: 'pcb-defects',
  task: 'detect',
  classes: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'],
  input: { name: 'images', width: 320, height: 320, channels: 3, resize: 'letterbox', batchAxis: true, stride: 32, padValue: 114, scale: 1 / 255, mean: null, std: null },
  output: { layout: 'ultralytics-bcn' },
  thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
};
