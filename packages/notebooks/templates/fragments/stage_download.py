def stage_download(session, stage_path, local_dir):
    """Copies every file under a stage path, keeping sub-folders (GET flattens, so go file by file)."""
    stage_path = stage_path.rstrip('/')
    prefix = stage_path.split('/', 1)[1] + '/' if '/' in stage_path else ''
    for r in session.sql(f"LIST {stage_path}/").collect():
        name = r['name']  # stage name without '@', e.g. 'defectkit_stage/data/images/train/a.jpg'
        rel = name.split('/', 1)[1][len(prefix):] if '/' in name else name
        target = local_dir / os.path.dirname(rel)
        target.mkdir(parents=True, exist_ok=True)
        session.file.get(f"{stage_path}/{rel}", str(target))
    return local_dir
