"""DefectKit model handler: encoded image bytes in, detections in original-image pixels out.

The one piece of Python that serves every DefectKit model in Snowflake, whichever way it got there:
- `defectkit registry log --registry snowflake:...` copies this file into the registry package as
  `functions/predict.py`; the warehouse calls `infer(df)` for `MODEL(...)!PREDICT(IMAGE)`;
- each notebook recipe's `log_to_registry` passes this file as a `ModelContext` artifact of a
  `CustomModel` whose `predict` calls `predict_frame(df)`;
- snowflake-local runs it in a CPython 3.11 worker, as the warehouse does.

The model card (`model.json`, `defectkit.model-card/v1`) packaged beside `model.onnx` picks the family:
Ultralytics YOLO heads (raw `ultralytics-bcn` / `ultralytics-bnc` / `yolov5-bnc` and end-to-end
`end2end-bn6`, which includes DefectKit's pcb-detector), torchvision detectors (`torchvision-rcnn`,
`torchvision-retinanet`) and classifiers (`classifier`: probabilities `[B, classes]`). Per image it
answers {"DETECTIONS": [{"x1", "y1", "x2", "y2", "score", "class_id", "label"}...], "WIDTH": w,
"HEIGHT": h} and, for classifiers, "LABELS": the top-k [{"label", "score", "class_id"}...].

Needs numpy, onnxruntime and Pillow (all in Snowflake's Anaconda channel); pandas only for the
DataFrame entry points.
"""
import base64
import io
import json
import os
import sys

import numpy as np

# v2 adds input.reference (refused below) and the verdict rule (applied by the caller, not here).
CARD_FORMATS = ("defectkit.model-card/v1", "defectkit.model-card/v2")
YOLO_LAYOUTS = ("ultralytics-bcn", "ultralytics-bnc", "yolov5-bnc", "end2end-bn6")
TORCHVISION_LAYOUTS = ("torchvision-rcnn", "torchvision-retinanet")
LAYOUTS = YOLO_LAYOUTS + TORCHVISION_LAYOUTS + ("classifier",)
# Ultralytics adds class * 7680 to the boxes so that one NMS call never suppresses across classes.
MAX_WH = 7680.0
# How many classes a classifier answers in LABELS (all of them when it has fewer).
TOP_K = 5
# Refuse images that would decode to more pixels than this (a decompression bomb guard).
MAX_PIXELS = 100_000_000


class CardError(ValueError):
    """The model card cannot drive the handler; the message names the field."""


def read_card(card):
    """Checks the fields the handler reads and fills the optional ones; `card` is the parsed model.json."""
    def need(ok, field, problem):
        if not ok:
            raise CardError("model card field %r %s" % (field, problem))

    need(isinstance(card, dict), "(root)", "must be an object")
    need(card.get("format") in CARD_FORMATS, "format", "must be one of %r" % (CARD_FORMATS,))
    classes = card.get("classes")
    need(isinstance(classes, list) and classes and all(isinstance(c, str) for c in classes), "classes", "must be a non-empty list of names")
    spec = card.get("input")
    need(isinstance(spec, dict), "input", "must be an object")
    need(spec.get("reference") is None, "input.reference", "is not served here: PREDICT takes one image per row, not an image and its golden reference")
    need(spec.get("channels") in (1, 3), "input.channels", "must be 1 or 3")
    need(spec.get("resize", "letterbox") in ("letterbox", "none"), "input.resize", "must be 'letterbox' or 'none'")
    for key in ("width", "height"):
        need(isinstance(spec.get(key), int) and spec[key] > 0, "input." + key, "must be a positive integer")
    layout = (card.get("output") or {}).get("layout")
    need(layout in LAYOUTS, "output.layout", "must be one of " + ", ".join(LAYOUTS))
    thresholds = {"conf": 0.25, "iou": 0.7, "maxDet": 300}
    thresholds.update(card.get("thresholds") or {})
    return {
        "classes": classes,
        "input": {
            "name": spec.get("name", "images"),
            "width": spec["width"],
            "height": spec["height"],
            "channels": spec["channels"],
            "resize": spec.get("resize", "letterbox"),
            "batchAxis": spec.get("batchAxis", True),
            "stride": spec.get("stride", 32),
            "padValue": spec.get("padValue", 114),
            "scale": spec.get("scale", 1.0 / 255.0),
            "mean": spec.get("mean"),
            "std": spec.get("std"),
        },
        "layout": layout,
        "thresholds": thresholds,
    }


# ---- geometry: Ultralytics letterbox and its inverse ----------------------------------------------

def letterbox_geometry(h0, w0, target_h, target_w, stride=32, auto=False, scaleup=True, center=True):
    """Where an h0 x w0 image lands in a target_h x target_w letterbox (Python round: halves go to even)."""
    r = min(target_h / h0, target_w / w0)
    if not scaleup:
        r = min(r, 1.0)
    new_w, new_h = int(round(w0 * r)), int(round(h0 * r))
    dw, dh = target_w - new_w, target_h - new_h
    if auto:
        dw, dh = dw % stride, dh % stride
    if center:
        dw, dh = dw / 2, dh / 2
        left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
        top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    else:
        left, top, right, bottom = 0, 0, int(dw), int(dh)
    return {
        "gain": r,
        "resized_wh": [new_w, new_h],
        "pad_left": left,
        "pad_top": top,
        "pad_right": right,
        "pad_bottom": bottom,
        "output_hw": [new_h + top + bottom, new_w + left + right],
    }


def _resize(image, new_w, new_h):
    # Pillow's BILINEAR widens its triangle filter when shrinking, as libvips' linear kernel does (sharp, used
    # by the TypeScript detector); OpenCV's INTER_LINEAR does not, and differs by many grey levels on 2x shrinks.
    if image.shape[1] == new_w and image.shape[0] == new_h:
        return image
    from PIL import Image

    channels = [np.asarray(Image.fromarray(image[:, :, c]).resize((new_w, new_h), Image.BILINEAR)) for c in range(image.shape[2])]
    return np.stack(channels, axis=2)


def letterbox(image, target_h, target_w, stride=32, pad_value=114, auto=False):
    """HWC uint8 image -> (letterboxed HWC uint8 image, geometry)."""
    geometry = letterbox_geometry(image.shape[0], image.shape[1], target_h, target_w, stride=stride, auto=auto)
    new_w, new_h = geometry["resized_wh"]
    resized = _resize(image, new_w, new_h)
    out_h, out_w = geometry["output_hw"]
    out = np.full((out_h, out_w, image.shape[2]), pad_value, dtype=np.uint8)
    out[geometry["pad_top"]:geometry["pad_top"] + new_h, geometry["pad_left"]:geometry["pad_left"] + new_w] = resized
    return out, geometry


def boxes_to_image(boxes, gain, pad_left, pad_top, width, height):
    """Network-input pixels -> original image pixels, clipped to the image (Ultralytics scale_boxes)."""
    out = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    out[:, [0, 2]] = (out[:, [0, 2]] - pad_left) / gain
    out[:, [1, 3]] = (out[:, [1, 3]] - pad_top) / gain
    out[:, [0, 2]] = out[:, [0, 2]].clip(0, width)
    out[:, [1, 3]] = out[:, [1, 3]].clip(0, height)
    return out


# ---- YOLO heads: Ultralytics non_max_suppression ---------------------------------------------------

def nms(boxes, scores, iou_threshold):
    """torchvision.ops.nms on CPU: float32 IoU, suppress when IoU > threshold, ties keep the lower index first."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    n = scores.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(n, dtype=bool)
    keep = []
    zero = np.float32(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for position in range(n):
            i = order[position]
            if suppressed[i]:
                continue
            keep.append(i)
            rest = order[position + 1:]
            rest = rest[~suppressed[rest]]
            if rest.size == 0:
                break
            w = np.maximum(zero, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
            h = np.maximum(zero, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
            inter = w * h
            iou = inter / (areas[i] + areas[rest] - inter)
            # Compare in float64 against the threshold, as the C++ kernel does (float promoted to double).
            suppressed[rest[iou.astype(np.float64) > float(iou_threshold)]] = True
    return np.asarray(keep, dtype=np.int64)


def _xywh_to_xyxy(box):
    half_w, half_h = box[:, 2] / np.float32(2), box[:, 3] / np.float32(2)
    return np.stack([box[:, 0] - half_w, box[:, 1] - half_h, box[:, 0] + half_w, box[:, 1] + half_h], axis=1)


def non_max_suppression(output, layout, conf=0.25, iou=0.7, classes=None, agnostic=False, multi_label=False, max_det=300, max_nms=30000):
    """One image's raw head output -> rows [x1, y1, x2, y2, score, class] in network-input pixels."""
    x = np.asarray(output, dtype=np.float32)
    if layout == "end2end-bn6":
        x = x.reshape(-1, 6)
        x = x[x[:, 4] > conf]
        if classes is not None:
            x = x[np.isin(x[:, 5], np.asarray(classes, dtype=np.float32))]
        return x[:max_det]
    if layout == "ultralytics-bcn":
        x = x.reshape(x.shape[-2], x.shape[-1]).T
        first_class = 4
        candidates = x[:, 4:].max(axis=1) > conf
    elif layout == "ultralytics-bnc":
        x = x.reshape(x.shape[-2], x.shape[-1])
        first_class = 4
        candidates = x[:, 4:].max(axis=1) > conf
    elif layout == "yolov5-bnc":
        x = x.reshape(x.shape[-2], x.shape[-1])
        first_class = 5
        candidates = x[:, 4] > conf
    else:
        raise ValueError("unsupported YOLO output layout " + str(layout))
    nc = x.shape[1] - first_class
    multi_label = multi_label and nc > 1
    x = x[candidates]
    if first_class == 5:
        x = x.copy()
        x[:, 5:] *= x[:, 4:5]
    box = _xywh_to_xyxy(x[:, :4])
    scores = x[:, first_class:]
    if multi_label:
        i, j = np.nonzero(scores > conf)
        rows = np.concatenate([box[i], scores[i, j][:, None], j[:, None].astype(np.float32)], axis=1)
    else:
        j = scores.argmax(axis=1) if scores.shape[0] else np.zeros(0, dtype=np.int64)
        best = scores[np.arange(scores.shape[0]), j]
        rows = np.concatenate([box, best[:, None], j[:, None].astype(np.float32)], axis=1)[best > conf]
    if classes is not None:
        rows = rows[np.isin(rows[:, 5], np.asarray(classes, dtype=np.float32))]
    if rows.shape[0] == 0:
        return rows.reshape(0, 6)
    if first_class == 5 or rows.shape[0] > max_nms:
        rows = rows[np.argsort(-rows[:, 4], kind="stable")[:max_nms]]
    offset = rows[:, 5:6] * np.float32(0 if agnostic else MAX_WH)
    keep = nms(rows[:, :4] + offset, rows[:, 4], iou)[:max_det]
    return rows[keep]


# ---- torchvision detectors and classifiers ---------------------------------------------------------

def torchvision_rows(outputs, layout, conf, max_det):
    """torchvision's final (boxes, labels, scores) or (boxes, scores, labels) -> rows as above.

    The graph ran its own NMS; like the TypeScript decoder, only `score > conf` and the cap apply here.
    Faster R-CNN labels are 1-based (0 is the background), RetinaNet-style labels are class indices.
    """
    boxes = np.asarray(outputs[0], dtype=np.float32).reshape(-1, 4)
    if layout == "torchvision-rcnn":
        labels, scores, offset = outputs[1], outputs[2], 1
    else:
        scores, labels, offset = outputs[1], outputs[2], 0
    labels = np.asarray(labels).reshape(-1).astype(np.int64) - offset
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    keep = np.nonzero(scores > np.float32(conf))[0][:max_det]
    return np.concatenate([boxes[keep], scores[keep, None], labels[keep, None].astype(np.float32)], axis=1)


def top_labels(probabilities, classes, k=TOP_K):
    """One image's class probabilities -> the top k, best first (ties: lower class id first)."""
    p = np.asarray(probabilities, dtype=np.float32).reshape(-1)
    order = sorted(range(p.shape[0]), key=lambda c: (-float(p[c]), c))[:k]
    return [{"label": classes[c] if c < len(classes) else str(c), "score": float(p[c]), "class_id": int(c)} for c in order]


# ---- decoding and preprocessing ---------------------------------------------------------------------

def image_bytes(value):
    """BINARY (bytes, bytearray, memoryview) or base64 text -> bytes."""
    if isinstance(value, str):
        return base64.b64decode(value, validate=False)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError("IMAGE must be BINARY or base64 text, got " + type(value).__name__)


def decode_image(data, channels):
    """Encoded image bytes -> HWC uint8 array with 1 or 3 channels (EXIF orientation applied)."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    if channels == 1:
        return np.asarray(image.convert("L"), dtype=np.uint8)[:, :, None]
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def preprocess(image, spec):
    """HWC uint8 image -> (CHW or NCHW float32 tensor, placement (gain, pad_left, pad_top))."""
    if spec["resize"] == "letterbox":
        image, geometry = letterbox(image, spec["height"], spec["width"], stride=spec["stride"], pad_value=spec["padValue"])
        placement = (geometry["gain"], geometry["pad_left"], geometry["pad_top"])
    else:
        placement = (1.0, 0, 0)  # torchvision graphs take the image at its own size and resize inside
    tensor = image.astype(np.float32) * np.float32(spec["scale"])
    if spec["mean"] is not None:
        tensor = tensor - np.asarray(spec["mean"], dtype=np.float32)
    if spec["std"] is not None:
        tensor = tensor / np.asarray(spec["std"], dtype=np.float32)
    tensor = np.ascontiguousarray(tensor.transpose(2, 0, 1))
    if spec["batchAxis"]:
        tensor = tensor[None]
    return tensor, placement


# ---- the handler --------------------------------------------------------------------------------------

class Handler:
    """A model card plus an onnxruntime session (or any object with `run(output_names, feeds)`)."""

    def __init__(self, card, onnx_path=None, session=None):
        self.config = read_card(card)
        self.onnx_path = onnx_path
        self.session = session

    @classmethod
    def from_files(cls, onnx_path, card_path):
        with open(card_path, "r", encoding="utf-8") as f:
            return cls(json.load(f), onnx_path=onnx_path)

    def _session(self):
        if self.session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            threads = int(os.environ.get("DEFECTKIT_HANDLER_THREADS", "0"))
            if threads > 0:
                options.intra_op_num_threads = threads
            self.session = onnxruntime.InferenceSession(self.onnx_path, sess_options=options, providers=["CPUExecutionProvider"])
        return self.session

    def prepare(self, value):
        """IMAGE value -> (network input, placement, width, height)."""
        spec = self.config["input"]
        image = decode_image(image_bytes(value), spec["channels"])
        tensor, placement = preprocess(image, spec)
        return tensor, placement, image.shape[1], image.shape[0]

    def detect(self, value):
        """One IMAGE value -> {"DETECTIONS", "WIDTH", "HEIGHT"} (+ "LABELS" for classifiers)."""
        tensor, (gain, pad_left, pad_top), width, height = self.prepare(value)
        outputs = self._session().run(None, {self.config["input"]["name"]: tensor})
        layout, th, classes = self.config["layout"], self.config["thresholds"], self.config["classes"]
        if layout == "classifier":
            return {"DETECTIONS": [], "WIDTH": width, "HEIGHT": height, "LABELS": top_labels(outputs[0][0], classes)}
        if layout in TORCHVISION_LAYOUTS:
            rows = torchvision_rows(outputs, layout, th["conf"], th["maxDet"])
        else:
            rows = non_max_suppression(outputs[0], layout, conf=th["conf"], iou=th["iou"], max_det=th["maxDet"])
        boxes = boxes_to_image(rows[:, :4], gain, pad_left, pad_top, width, height)
        detections = []
        for box, row in zip(boxes, rows):
            class_id = int(row[5])
            detections.append({
                "x1": float(box[0]), "y1": float(box[1]), "x2": float(box[2]), "y2": float(box[3]),
                "score": float(row[4]), "class_id": class_id,
                "label": classes[class_id] if 0 <= class_id < len(classes) else str(class_id),
            })
        return {"DETECTIONS": detections, "WIDTH": width, "HEIGHT": height}

    def predict_rows(self, values):
        """One result per IMAGE value, in order (None for a NULL image)."""
        return [None if value is None else self.detect(value) for value in values]

    def predict_frame(self, df):
        """The `CustomModel.predict` contract: a DataFrame with an IMAGE column -> DETECTIONS and LABELS
        as JSON text (model signatures hold scalar columns), WIDTH and HEIGHT."""
        import pandas

        column = "IMAGE" if "IMAGE" in df.columns else df.columns[0]
        results = self.predict_rows(list(df[column]))
        return pandas.DataFrame({
            "DETECTIONS": [None if r is None else json.dumps(r["DETECTIONS"]) for r in results],
            "WIDTH": [None if r is None else r["WIDTH"] for r in results],
            "HEIGHT": [None if r is None else r["HEIGHT"] for r in results],
            "LABELS": [None if r is None else json.dumps(r.get("LABELS", [])) for r in results],
        })


def package_root():
    """Where a registry package's files are: Snowflake's import directory, else the package folder."""
    return sys._xoptions.get("snowflake_import_directory") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_default = None


def default_handler():
    """The handler of the package this file sits in (`model/model.onnx` and `model/model.json`)."""
    global _default
    if _default is None:
        root = package_root()
        _default = Handler.from_files(os.path.join(root, "model", "model.onnx"), os.path.join(root, "model", "model.json"))
    return _default


def infer(df):
    """The warehouse entry point of `MODEL(...)!PREDICT(IMAGE)`: one OBJECT per row of the first column."""
    import pandas

    return pandas.Series(default_handler().predict_rows(list(df.iloc[:, 0])))


try:
    import _snowflake  # only inside a Snowflake warehouse
except ImportError:
    _snowflake = None
if _snowflake is not None:
    import pandas

    infer = _snowflake.vectorized(input=pandas.DataFrame)(infer)
