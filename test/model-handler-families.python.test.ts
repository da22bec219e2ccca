// templates/defectkit_handler.py on every output family, with onnxruntime replaced by sessions that record their
// input and answer fixed outputs (Debian's python3: numpy + Pillow; pandas comes from no venv, so only the
// non-DataFrame entry points run here). The model-backed paths are in the other model-handler-*.python tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemPython, repoRoot } from './support/paths.js';

const handler = join(repoRoot, 'packages', 'notebooks', 'templates', 'defectkit_handler.py');

const PROBE = String.raw`
import base64, importlib.util, io, json, sys
import numpy as np
from PIL import Image
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)

def card(layout, task="detect", channels=3, resize="none", batch=False, classes=("a", "b", "c"), conf=0.5, max_det=2):
    return {"format": "defectkit.model-card/v1", "name": "t", "task": task, "classes": list(classes),
            "input": {"name": "images", "width": 8, "height": 8, "channels": channels, "resize": resize, "batchAxis": batch,
                      "stride": 1, "padValue": 114, "scale": 1 / 255, "mean": None, "std": None},
            "output": {"layout": layout}, "thresholds": {"conf": conf, "iou": 0.5, "maxDet": max_det}}

class Session:
    def __init__(self, outputs): self.outputs, self.seen = outputs, []
    def run(self, names, feeds):
        x = feeds["images"]; self.seen.append({"shape": list(x.shape), "dtype": str(x.dtype), "first": float(x.reshape(-1)[0])})
        return self.outputs

def png(w, h, colour):
    b = io.BytesIO(); Image.new("RGB", (w, h), colour).save(b, format="PNG"); return b.getvalue()

out = {}
image = png(40, 30, (51, 0, 0))
boxes = np.array([[1, 2, 10, 12], [5, 5, 50, 40], [0, 0, 3, 3], [7, 7, 9, 9]], np.float32)
rcnn = Session([boxes, np.array([1, 3, 2, 1], np.int64), np.array([0.9, 0.8, 0.5, 0.7], np.float32)])
out["rcnn"] = h.Handler(card("torchvision-rcnn"), session=rcnn).predict_rows([image, None, base64.b64encode(image).decode()])
out["rcnn_seen"] = rcnn.seen
retina = Session([boxes, np.array([0.9, 0.8, 0.5, 0.7], np.float32), np.array([0, 2, 1, 0], np.int64)])
out["retina"] = h.Handler(card("torchvision-retinanet", max_det=10), session=retina).detect(image)
cls = Session([np.array([[0.2, 0.5, 0.2, 0.05, 0.05, 0.0]], np.float32)])
out["classifier"] = h.Handler(card("classifier", task="classify", resize="letterbox", batch=True, classes=list("uvwxyz")), session=cls).detect(png(8, 8, (0, 0, 0)))
out["classifier_seen"] = cls.seen
grey = Session([np.zeros((1, 7, 4), np.float32)])
out["grey"] = h.Handler(card("ultralytics-bcn", channels=1, resize="letterbox", batch=True), session=grey).detect(png(16, 8, (255, 255, 255)))
out["grey_seen"] = grey.seen
errors = []
ref_card = {**card("torchvision-rcnn"), "format": "defectkit.model-card/v2"}
ref_card["input"] = {**ref_card["input"], "reference": "stacked"}
h.read_card({**card("torchvision-rcnn"), "format": "defectkit.model-card/v2"})  # a v2 card without a reference is served
for bad in ({**card("torchvision-rcnn"), "format": "other/v9"}, {**card("torchvision-rcnn"), "output": {"layout": "mask"}}, {**card("classifier"), "classes": []}, ref_card):
    try:
        h.Handler(bad)
    except h.CardError as e:
        errors.append(str(e))
out["errors"] = errors
try:
    h.Handler(card("torchvision-rcnn"), session=rcnn).detect(12)
except TypeError as e:
    out["bad_value"] = str(e)
print(json.dumps(out))
`;

describe('templates/defectkit_handler.py on every family (sessions stand in for onnxruntime)', () => {
  it('compiles (py_compile)', () => {
    const r = spawnSync(systemPython, ['-m', 'py_compile', handler], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: '/tmp/dk-pycache' } });
    expect(r.status, r.stderr).toBe(0);
  });

  it('decodes torchvision (1-based labels, score > conf, cap, clip), classifiers (top 5) and greyscale letterbox input', () => {
    const r = spawnSync(systemPython, ['-c', PROBE, handler], { encoding: 'utf8' });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    // Faster R-CNN: scores 0.9, 0.8, 0.7 pass conf 0.5 (0.5 does not), maxDet 2 keeps the first two; labels 1-based;
    // the second box is clipped to the 40x30 image. NULL gives null; base64 text gives the same answer.
    const rcnn = { WIDTH: 40, HEIGHT: 30, DETECTIONS: [
      { x1: 1, y1: 2, x2: 10, y2: 12, score: expect.closeTo(0.9, 6), class_id: 0, label: 'a' },
      { x1: 5, y1: 5, x2: 40, y2: 30, score: expect.closeTo(0.8, 6), class_id: 2, label: 'c' },
    ] };
    expect(out.rcnn).toEqual([rcnn, null, rcnn]);
    // [C, H, W] at the image's own size (no resize, no batch axis), scaled by 1/255.
    expect(out.rcnn_seen[0]).toEqual({ shape: [3, 30, 40], dtype: 'float32', first: expect.closeTo(51 / 255, 6) });
    // RetinaNet order: boxes, scores, labels (0-based).
    expect(out.retina.DETECTIONS.map((d: any) => [d.class_id, d.label])).toEqual([[0, 'a'], [2, 'c'], [0, 'a']]);
    // Classifier: the top 5 of 6, best first, ties by class id; no detections.
    expect(out.classifier.DETECTIONS).toEqual([]);
    expect(out.classifier.LABELS.map((l: any) => [l.class_id, l.label])).toEqual([[1, 'v'], [0, 'u'], [2, 'w'], [3, 'x'], [4, 'y']]);
    expect(out.classifier.LABELS[0].score).toBeCloseTo(0.5, 6);
    expect(out.classifier_seen[0].shape).toEqual([1, 3, 8, 8]);
    // One channel, letterboxed 16x8 -> 8x8 (gain 0.5, 2 px of padding on top): the corner is the pad value.
    expect(out.grey).toEqual({ DETECTIONS: [], WIDTH: 16, HEIGHT: 8 });
    expect(out.grey_seen[0]).toEqual({ shape: [1, 1, 8, 8], dtype: 'float32', first: expect.closeTo(114 / 255, 6) });
    expect(out.errors).toEqual([
      "model card field 'format' must be one of ('defectkit.model-card/v1', 'defectkit.model-card/v2')",
      expect.stringContaining("model card field 'output.layout' must be one of ultralytics-bcn"),
      "model card field 'classes' must be a non-empty list of names",
      expect.stringContaining("model card field 'input.reference' is not served here"),
    ]);
    expect(out.bad_value).toBe('IMAGE must be BINARY or base64 text, got int');
  });
});
