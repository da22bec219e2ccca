def list_split(root, entry):
    """Image paths of one split: a folder, a .txt list, or a list of either (Ultralytics semantics)."""
    exts = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')
    entries = entry if isinstance(entry, list) else [entry]
    out = []
    for e in entries:
        p = Path(e) if Path(e).is_absolute() else root / e
        if p.is_dir():
            out += sorted(str(q) for q in p.rglob('*') if q.suffix.lower() in exts)
        elif p.suffix == '.txt':
            for line in p.read_text(encoding='utf-8').splitlines():
                line = line.strip()
                if line:
                    q = Path(line)
                    out.append(str(q if q.is_absolute() else root / q))
        else:
            raise FileNotFoundError(f'{p}: split entry is neither a folder nor a .txt list')
    return out


def label_path(img_path):
    # Ultralytics convention: the last /images/ in the path becomes /labels/, the suffix .txt.
    s = str(img_path)
    i = s.rfind(os.sep + 'images' + os.sep)
    if i < 0:
        raise ValueError(f'{s}: image path has no images/ folder to map to labels/')
    return os.path.splitext(s[:i] + os.sep + 'labels' + os.sep + s[i + 8:])[0] + '.txt'
