def open_yolo_dataset(data_dir, wanted):
    """Reads `data.yaml` of a YOLO folder (a local one or the stage copy): (class names, split root, spec).

    `wanted` (the --classes names, or empty) must equal the yaml's names. Split folders are relative to the yaml's
    `path`; a `path` that does not exist here (the machine that wrote it) falls back to the yaml's own folder.
    """
    spec = read_yaml(data_dir / 'data.yaml')
    names = spec['names']
    names = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    if wanted and list(wanted) != names:
        raise ValueError(f'{data_dir / "data.yaml"}: names {names} differ from --classes {list(wanted)}')
    root = Path(spec.get('path') or data_dir)
    root = root if root.is_absolute() else data_dir / root
    if not root.is_dir():
        root = data_dir
    return names, root, spec
