"""Writes src/nms/fixtures/torchvision-special-values.json: small NMS cases full of NaN, ±Infinity, ±0, huge,
zero-area and inverted boxes, with the indices torchvision.ops.nms / batched_nms (CPU) keep for them.

Run with Debian's interpreter (torch 1.13, torchvision 0.14): /usr/bin/python3 scripts/gen-nms-special-values.py
Deterministic (seeded); the shared golden set has no special-value file, so this one is generated here.
"""
import json
import os
import random

import torch
import torchvision

random.seed(7)
NAN, INF = float("nan"), float("inf")
BASE = [[0, 0, 10, 10], [1, 1, 11, 11], [2, 2, 12, 12], [50, 50, 60, 60], [5, 5, 5, 5], [5, 5, 5, 5], [10, 0, 0, 10], [0, 0, 10, 10]]
SPECIALS = [NAN, INF, -INF, 0.0, -0.0, 1e30, -1e30]


def encode(v):
    if v != v:
        return "NaN"
    if v in (INF, -INF):
        return "Infinity" if v > 0 else "-Infinity"
    return v


cases = []
for k in range(300):
    n = random.randint(1, 12)
    boxes = [list(random.choice(BASE)) for _ in range(n)]
    for b in boxes:
        if random.random() < 0.3:
            b[random.randrange(4)] = random.choice(SPECIALS)
        if random.random() < 0.3:
            b[random.randrange(4)] += random.choice([0.5, 3, -2])
    scores = [random.choice([0.5, 0.9, 0.1, NAN, INF, -INF, 0.0, -0.0, random.random()]) for _ in range(n)]
    classes = [random.randrange(3) for _ in range(n)]
    t = random.choice([0.0, 0.3, 0.5, 0.7, 1.0])
    b32 = torch.tensor(boxes, dtype=torch.float32)
    s32 = torch.tensor(scores, dtype=torch.float32)
    cases.append({
        "id": f"special_{k}",
        "iou_threshold": t,
        # float32 values, so the JSON numbers load exactly into Float32Array
        "boxes": [[encode(v) for v in row] for row in b32.tolist()],
        "scores": [encode(v) for v in s32.tolist()],
        "class_ids": classes,
        "expected_keep": torchvision.ops.nms(b32, s32, t).tolist(),
        "expected_keep_batched": torchvision.ops.batched_nms(b32, s32, torch.tensor(classes), t).tolist(),
    })

out = os.path.join(os.path.dirname(__file__), "..", "src", "nms", "fixtures", "torchvision-special-values.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/gen-nms-special-values.py", "torch": torch.__version__, "torchvision": torchvision.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")
