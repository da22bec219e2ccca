def pairwise_iou(a, b):
    """IoU of [M,4] against [N,4] xyxy boxes in float64, without epsilon (as pycocotools computes it)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(2)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def average_precision(preds, labels, nc, thresholds):
    """COCO-style AP per class and IoU threshold -> array [nc, T] (nan where a class has no boxes)."""
    thresholds = np.asarray(thresholds)
    ap = np.full((nc, len(thresholds)), np.nan)
    rs = np.linspace(0, 1, 101)
    for c in range(nc):
        n_gt = sum(int((l[:, 4] == c).sum()) for l in labels)
        if n_gt == 0:
            continue
        scores, tps = [], []
        for p, l in zip(preds, labels):
            d = p[p[:, 5] == c]
            d = d[np.argsort(-d[:, 4], kind='stable')]
            g = l[l[:, 4] == c, :4]
            tp = np.zeros((len(d), len(thresholds)), bool)
            if len(d) and len(g):
                ious = pairwise_iou(d[:, :4], g)
                for ti, thr in enumerate(thresholds):
                    used = np.zeros(len(g), bool)
                    for j in range(len(d)):
                        row = np.where(used, -1.0, ious[j])
                        m = int(row.argmax())
                        if row[m] >= thr:
                            used[m] = True
                            tp[j, ti] = True
            scores.append(d[:, 4]); tps.append(tp)
        sc = np.concatenate(scores)
        order = np.argsort(-sc, kind='stable')
        tp = np.concatenate(tps)[order]
        for ti in range(len(thresholds)):
            ctp = np.cumsum(tp[:, ti])
            recall = ctp / n_gt
            precision = ctp / np.arange(1, len(ctp) + 1)
            if len(precision):
                precision = np.maximum.accumulate(precision[::-1])[::-1]
            idx = np.searchsorted(recall, rs, side='left')
            ap[c, ti] = np.mean([precision[i] if i < len(precision) else 0.0 for i in idx])
    return ap
