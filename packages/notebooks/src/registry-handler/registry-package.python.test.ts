import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { goldenDir, systemPython } from '../../../../test/support/paths.js';
import { readHandlerSource } from '../node/handler-source.js';
import { emitRegistryPackage } from './registry-package.js';
import { testCard as card } from './test-card.js';

// Runs the packaged handler's (templates/defectkit_handler.py as functions/predict.py) functions on the golden inputs with Debian's python3 + numpy; onnxruntime is
// replaced by an injected session object that returns a stored golden head output.
const harness = String.raw`
import base64, importlib.util, io, json, sys
import numpy as np
from PIL import Image
spec = importlib.util.spec_from_file_location("predict", sys.argv[1])
predict = importlib.util.module_from_spec(spec); spec.loader.exec_module(predict)
golden = sys.argv[2]
out = {"letterbox": {}, "nms": {}, "yolo": {}}
for case in json.load(open(golden + "/letterbox_derived.json"))["cases"]:
    (h0, w0), (th, tw), f = case["original_hw"], case["target_hw"], case["flags"]
    g = predict.letterbox_geometry(h0, w0, th, tw, stride=f["stride"], auto=f["auto"], scaleup=f["scaleup"], center=f["center"])
    back = predict.boxes_to_image(case["box_letterboxed_xyxy"], g["gain"], g["pad_left"], g["pad_top"], w0, h0)[0].tolist()
    entry = {"geometry": g, "box_back": back}
    if f["scaleup"] and not f["auto"] and f["center"] and h0 * w0 <= 4_000_000:
        image = np.zeros((h0, w0, 1), dtype=np.uint8) + 7
        boxed, _ = predict.letterbox(image, th, tw, stride=f["stride"], pad_value=f["padding_value"])
        entry["image_hw"] = list(boxed.shape[:2])
        entry["values"] = sorted(set(np.unique(boxed).tolist()))
    out["letterbox"][case["id"]] = entry
for case in json.load(open(golden + "/nms_torchvision.json"))["cases"]:
    boxes = np.asarray(case["boxes"], dtype=np.float32).reshape(-1, 4)
    if case["op"] == "batched_nms":
        boxes = boxes + np.asarray(case["class_ids"], dtype=np.float32)[:, None] * np.float32(7680)
    out["nms"][case["id"]] = predict.nms(boxes, case["scores"], case["iou_threshold"]).tolist()
yolo = json.load(open(golden + "/yolo_postprocess_derived.json"))
layouts = {"ultralytics_bcn": "ultralytics-bcn", "yolov5_legacy_bnc": "yolov5-bnc", "end2end_bn6": "end2end-bn6"}
def tensor(name):
    t = yolo["inputs"][name]
    return np.frombuffer(base64.b64decode(t["base64_le"]), dtype="<f4").reshape(t["shape"])
for case in yolo["cases"]:
    p = case["params"]
    rows = predict.non_max_suppression(tensor(case["input"])[0], layouts[case["layout"]], conf=p["conf"], iou=p.get("iou", 0.7),
        classes=p.get("classes"), agnostic=p.get("agnostic", False), multi_label=p.get("multi_label", False),
        max_det=p["max_det"], max_nms=p.get("max_nms", 30000))
    out["yolo"][case["id"]] = rows.tolist()
# The whole handler path, with onnxruntime replaced by a session returning the golden head output.
class Session:
    def run(self, names, feeds):
        x = feeds["images"]
        self.seen = {"shape": list(x.shape), "dtype": str(x.dtype), "corner": float(x[0, 0, 0, 0]), "centre": float(x[0, 1, 160, 160])}
        return [tensor("ultralytics_bcn_input0")]
session = Session()
card = json.load(open(sys.argv[3]))
handler = predict.Handler(card, session=session)
buffer = io.BytesIO(); Image.new("RGB", (640, 480), (51, 102, 153)).save(buffer, format="PNG")
result = handler.predict_rows([buffer.getvalue(), base64.b64encode(buffer.getvalue()).decode("ascii")])
out["detect"] = {"results": result, "seen": session.seen}
print(json.dumps(out))
`;

async function goldenJson<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(join(goldenDir, name), 'utf8')) as T;
}

interface LetterboxCase {
  id: string;
  original_hw: [number, number];
  target_hw: [number, number];
  expected: { gain: number; resized_wh: number[]; pad_left: number; pad_top: number; pad_right: number; pad_bottom: number; output_hw: number[] };
  inverse: { current: { box_back: number[] }; current_equals_letterbox_pad: boolean };
}

describe('the packaged model handler under Debian python3 + numpy', () => {
  it('predict.py registers infer() as a vectorized UDF inside Snowflake and answers one OBJECT per row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-handler-'));
    const predict = emitRegistryPackage(card, await readHandlerSource()).find((file) => file.path === 'functions/predict.py')!;
    await writeFile(join(dir, 'predict.py'), predict.content);
    // Stand-ins for the warehouse's _snowflake module and pandas (not installed here).
    const udf = String.raw`
import importlib.util, json, sys, types
calls = []
snow = types.ModuleType("_snowflake")
def vectorized(input):
    def wrap(fn):
        calls.append(input.__name__)
        fn.vectorized = True
        return fn
    return wrap
snow.vectorized = vectorized
pandas = types.ModuleType("pandas")
class DataFrame:
    def __init__(self, rows): self.rows = rows
    @property
    def iloc(self):
        rows = self.rows
        class Loc:
            def __getitem__(self, key): return [row[key[1]] for row in rows]
        return Loc()
pandas.DataFrame = DataFrame
pandas.Series = list
sys.modules["_snowflake"] = snow
sys.modules["pandas"] = pandas
spec = importlib.util.spec_from_file_location("predict", sys.argv[1])
predict = importlib.util.module_from_spec(spec); spec.loader.exec_module(predict)
class Fake:
    def predict_rows(self, values): return [{"DETECTIONS": [], "WIDTH": len(value), "HEIGHT": 0} for value in values]
predict._default = Fake()
print(json.dumps({"decorated": calls, "flag": getattr(predict.infer, "vectorized", False), "out": predict.infer(DataFrame([[b"abc"], [b"hello"]]))}))
`;
    await writeFile(join(dir, 'udf.py'), udf);
    const { stdout } = await promisify(execFile)(systemPython, [join(dir, 'udf.py'), join(dir, 'predict.py')]);
    expect(JSON.parse(stdout)).toEqual({
      decorated: ['DataFrame'],
      flag: true,
      out: [
        { DETECTIONS: [], WIDTH: 3, HEIGHT: 0 },
        { DETECTIONS: [], WIDTH: 5, HEIGHT: 0 },
      ],
    });
  });

  it("predict.py's letterbox, NMS and decoding pass the golden cases under Debian's python3 + numpy", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-handler-'));
    for (const file of emitRegistryPackage(card, await readHandlerSource())) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content);
    }
    await writeFile(join(dir, 'harness.py'), harness);
    const { stdout } = await promisify(execFile)(systemPython, [join(dir, 'harness.py'), join(dir, 'functions', 'predict.py'), goldenDir, join(dir, 'model', 'model.json')], { maxBuffer: 64 << 20 });
    const out = JSON.parse(stdout) as {
      letterbox: Record<string, { geometry: Record<string, unknown>; box_back: number[]; image_hw?: number[]; values?: number[] }>;
      nms: Record<string, number[]>;
      yolo: Record<string, number[][]>;
      detect: { results: Array<{ DETECTIONS: Array<Record<string, number | string>>; WIDTH: number; HEIGHT: number }>; seen: Record<string, unknown> };
    };

    const letterbox = await goldenJson<{ cases: LetterboxCase[] }>('letterbox_derived.json');
    let imagesChecked = 0;
    for (const golden of letterbox.cases) {
      const mine = out.letterbox[golden.id]!;
      const { gain, resized_wh, pad_left, pad_top, pad_right, pad_bottom, output_hw } = golden.expected;
      expect(mine.geometry, golden.id).toEqual({ gain, resized_wh, pad_left, pad_top, pad_right, pad_bottom, output_hw });
      if (golden.inverse.current_equals_letterbox_pad) {
        mine.box_back.forEach((value, i) => expect(value, golden.id).toBeCloseTo(golden.inverse.current.box_back[i]!, 3));
      }
      if (mine.image_hw) {
        imagesChecked++;
        expect(mine.image_hw, golden.id).toEqual(output_hw);
        const padded = pad_left + pad_top + pad_right + pad_bottom > 0;
        expect(mine.values, golden.id).toEqual(padded ? [7, 114] : [7]);
      }
    }
    expect(imagesChecked).toBeGreaterThan(5);

    const nms = await goldenJson<{ cases: Array<{ id: string; op: string; expected_keep: number[]; expected_keep_ultralytics_offset_7680?: number[] }> }>('nms_torchvision.json');
    for (const golden of nms.cases) {
      const expected = golden.op === 'nms' ? golden.expected_keep : golden.expected_keep_ultralytics_offset_7680!;
      expect(out.nms[golden.id], golden.id).toEqual(expected);
    }

    const yolo = await goldenJson<{ cases: Array<{ id: string; expected_rows_xyxy_conf_cls: number[][] }> }>('yolo_postprocess_derived.json');
    for (const golden of yolo.cases) {
      const rows = out.yolo[golden.id]!;
      expect(rows.length, golden.id).toBe(golden.expected_rows_xyxy_conf_cls.length);
      rows.forEach((row, r) => row.forEach((value, c) => expect(value, `${golden.id} row ${r}`).toBeCloseTo(golden.expected_rows_xyxy_conf_cls[r]![c]!, 4)));
    }

    // detect(): a 640x480 image in a 320x320 letterbox: gain 0.5, 40 px of padding on top and bottom.
    expect(out.detect.seen).toEqual({ shape: [1, 3, 320, 320], dtype: 'float32', corner: expect.closeTo(114 / 255, 6), centre: expect.closeTo(102 / 255, 6) });
    const expectedRows = yolo.cases.find((c) => c.id === 'v8_predict_defaults')!.expected_rows_xyxy_conf_cls;
    for (const result of out.detect.results) {
      expect([result.WIDTH, result.HEIGHT]).toEqual([640, 480]);
      expect(result.DETECTIONS).toHaveLength(expectedRows.length);
      result.DETECTIONS.forEach((detection, i) => {
        const [x1, y1, x2, y2, score, cls] = expectedRows[i]!;
        const clip = (value: number, max: number) => Math.min(Math.max(value, 0), max);
        expect(detection.x1).toBeCloseTo(clip(x1! / 0.5, 640), 3);
        expect(detection.y1).toBeCloseTo(clip((y1! - 40) / 0.5, 480), 3);
        expect(detection.x2).toBeCloseTo(clip(x2! / 0.5, 640), 3);
        expect(detection.y2).toBeCloseTo(clip((y2! - 40) / 0.5, 480), 3);
        expect(detection.score).toBeCloseTo(score!, 6);
        expect(detection.class_id).toBe(cls);
        expect(detection.label).toBe(`c${cls}`);
      });
    }
  }, 120_000);
});
