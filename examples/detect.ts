// Detect defects in one board image with the shipped PCB model and save an annotated copy beside it:
//   npx tsx examples/detect.ts <image> [model folder]
import { dirname, join } from 'node:path';
import { defaultModelDir, loadDetector, writeAnnotatedImage } from '@defectkit/backend-node';
import { imageStem } from '@defectkit/postprocess';

const [image, model = defaultModelDir()] = process.argv.slice(2);
if (!image) {
  console.error('usage: npx tsx examples/detect.ts <image> [model folder]');
  process.exit(2);
}

const detector = await loadDetector(model, { device: 'auto' });
try {
  const result = await detector.detect(image);
  console.log(`${image}: ${result.width}x${result.height}, ${result.detections.length} defect(s) (provider ${detector.backend.info?.provider})`);
  for (const d of result.detections) {
    console.log(`  ${d.label.padEnd(10)} ${d.score.toFixed(3)}  [${[d.x1, d.y1, d.x2, d.y2].map((v) => v.toFixed(1)).join(', ')}]`);
  }
  const out = join(dirname(image), `${imageStem(image)}.detections.png`);
  await writeAnnotatedImage(image, result, out);
  console.log(`annotated: ${out}`);
} finally {
  await detector.dispose();
}
