"""Times torchvision.ops.nms / batched_nms on the inputs written by benchmarks/nms.ts (one process, CPU).

Usage: /usr/bin/python3 nms_torchvision.py <input.bin> <n> <iou> <repeats>
The file holds float32 boxes (n*4), float32 scores (n) and int32 class ids (n), little-endian.
Prints one JSON object: [median, min] seconds per op and the kept indices (to check they are identical).
"""
import json
import sys
import time

import numpy as np
import torch
import torchvision

torch.set_num_threads(1)  # the NMS kernel is single-threaded; keep the sort on one thread too, like Node


def timings(fn, repeats):
    """(median, min) seconds over `repeats` runs after 20 warm-up runs, as on the Node side."""
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return [float(np.median(times)), float(np.min(times))]


def main():
    path, n, iou, repeats = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    raw = open(path, "rb").read()
    boxes = torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=n * 4).reshape(n, 4).copy())
    scores = torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=n, offset=n * 16).copy())
    classes = torch.from_numpy(np.frombuffer(raw, dtype="<i4", count=n, offset=n * 20).astype(np.int64))
    keep = torchvision.ops.nms(boxes, scores, iou)
    keep_batched = torchvision.ops.batched_nms(boxes, scores, classes, iou)
    print(json.dumps({
        "nms_s": timings(lambda: torchvision.ops.nms(boxes, scores, iou), repeats),
        "batched_nms_s": timings(lambda: torchvision.ops.batched_nms(boxes, scores, classes, iou), repeats),
        "keep": keep.tolist(),
        "keep_batched": keep_batched.tolist(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }))


main()
