/**
 * The source of `functions/predict.py`, the handler a Snowflake warehouse runs for `MODEL(...)!PREDICT(IMAGE)`.
 * It does what DefectKit's TypeScript detector does: decode, letterbox (Ultralytics geometry: Python rounding,
 * centred padding with the pad value), scale, run the ONNX with onnxruntime, decode the YOLO head, class-aware
 * NMS with torchvision's float32 semantics, map boxes back to the image and clip. Self-contained: numpy,
 * onnxruntime and Pillow.
 */
export function predictPySource(configJson: string): string {
  return `${header}
CONFIG = json.loads(${JSON.stringify(configJson)})
${body}`;
}

const header = String.raw`"""DefectKit registry handler: MODEL(...)!PREDICT(IMAGE) -> {"DETECTIONS": [...], "WIDTH": w, "HEIGHT": h}.

Emitted by @defectkit/notebooks. IMAGE is the encoded image file (BINARY, or base64 text).
"""
import base64
import io
import json
import os
import sys

import numpy as np
`;

const body = String.raw`
# Ultralytics adds class * 7680 to the boxes so that one NMS call never suppresses across classes.
MAX_WH = 7680.0

_session = None


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
    """Letterbox pixels -> original image pixels, clipped to the image (Ultralytics scale_boxes)."""
    out = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    out[:, [0, 2]] = (out[:, [0, 2]] - pad_left) / gain
    out[:, [1, 3]] = (out[:, [1, 3]] - pad_top) / gain
    out[:, [0, 2]] = out[:, [0, 2]].clip(0, width)
    out[:, [1, 3]] = out[:, [1, 3]].clip(0, height)
    return out


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
        raise ValueError("unsupported output layout " + str(layout))
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


def decode_image(data, channels):
    """Encoded image bytes -> HWC uint8 array with 1 or 3 channels (EXIF orientation applied)."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    if channels == 1:
        image = image.convert("L")
        return np.asarray(image, dtype=np.uint8)[:, :, None]
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def preprocess(image):
    """HWC uint8 image -> (NCHW or CHW float32 tensor, placement (gain, pad_left, pad_top))."""
    spec = CONFIG["input"]
    if spec.get("resize", "letterbox") == "letterbox":
        image, geometry = letterbox(image, spec["height"], spec["width"], stride=spec.get("stride", 32), pad_value=spec.get("padValue", 114))
        placement = (geometry["gain"], geometry["pad_left"], geometry["pad_top"])
    else:
        placement = (1.0, 0, 0)
    tensor = image.astype(np.float32) * np.float32(spec.get("scale", 1.0 / 255.0))
    if spec.get("mean") is not None:
        tensor = tensor - np.asarray(spec["mean"], dtype=np.float32)
    if spec.get("std") is not None:
        tensor = tensor / np.asarray(spec["std"], dtype=np.float32)
    tensor = np.ascontiguousarray(tensor.transpose(2, 0, 1))
    if spec.get("batchAxis", True):
        tensor = tensor[None]
    return tensor, placement


def _load_session():
    global _session
    if _session is None:
        import onnxruntime

        root = sys._xoptions.get("snowflake_import_directory") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        _session = onnxruntime.InferenceSession(os.path.join(root, "model", "model.onnx"), providers=["CPUExecutionProvider"])
    return _session


def set_session(session):
    """Injects an object with onnxruntime's run(output_names, feeds) (tests; alternative runtimes)."""
    global _session
    _session = session


def detect(data):
    """Encoded image (bytes or base64 text) -> {"DETECTIONS": [...], "WIDTH": w, "HEIGHT": h}."""
    if isinstance(data, str):
        data = base64.b64decode(data)
    spec = CONFIG["input"]
    image = decode_image(bytes(data), spec.get("channels", 3))
    height, width = image.shape[0], image.shape[1]
    tensor, (gain, pad_left, pad_top) = preprocess(image)
    outputs = _load_session().run(None, {spec.get("name", "images"): tensor})
    thresholds = CONFIG["thresholds"]
    rows = non_max_suppression(outputs[0], CONFIG["output"]["layout"], conf=thresholds["conf"], iou=thresholds["iou"], max_det=thresholds["maxDet"])
    boxes = boxes_to_image(rows[:, :4], gain, pad_left, pad_top, width, height)
    classes = CONFIG["classes"]
    detections = []
    for box, row in zip(boxes, rows):
        class_id = int(row[5])
        detections.append({
            "x1": float(box[0]), "y1": float(box[1]), "x2": float(box[2]), "y2": float(box[3]),
            "score": float(row[4]), "classId": class_id,
            "label": classes[class_id] if 0 <= class_id < len(classes) else str(class_id),
        })
    return {"DETECTIONS": detections, "WIDTH": width, "HEIGHT": height}


def predict_rows(values):
    """One result per input value, in order."""
    return [detect(value) for value in values]


def infer(df):
    """The warehouse entry point: a DataFrame whose first column holds the images."""
    import pandas

    return pandas.Series(predict_rows(list(df.iloc[:, 0])))


try:
    import _snowflake  # only inside a Snowflake warehouse
except ImportError:
    _snowflake = None
if _snowflake is not None:
    import pandas

    infer = _snowflake.vectorized(input=pandas.DataFrame)(infer)
`;
