# The inspection log's columns, in the order `defectkit snowflake setup` creates them (@defectkit/inspection).
BOARD_COLUMNS = ['INFERENCE_ID', 'BOARD_ID', 'IMAGE_PATH', 'TIMESTAMP', 'FACTORY_LINE_ID', 'SHIFT', 'MODEL_NAME',
                 'MODEL_VERSION', 'VERDICT', 'DEFECT_COUNT', 'IMAGE_WIDTH', 'IMAGE_HEIGHT', 'INFERENCE_MS']
DEFECT_COLUMNS = ['DEFECT_ID', 'INFERENCE_ID', 'BOARD_ID', 'TIMESTAMP', 'DETECTED_CLASS', 'CONFIDENCE_SCORE',
                  'BOUNDING_BOX_COORDINATES', 'MODEL_NAME', 'MODEL_VERSION', 'FACTORY_LINE_ID', 'SHIFT', 'SOURCE',
                  'REVIEW_VERDICT', 'REVIEWER', 'REVIEWED_AT']


def add_inspection_log_args(p):
    """Flags of the batch-inference step (defaults from CONFIG['inspectionLog'])."""
    cfg = CONFIG.get('inspectionLog') or {}
    p.add_argument('--infer-images', default=cfg.get('images', ''),
                   help='stage folder of board images to run the logged model on ("" skips the step)')
    p.add_argument('--log-database', default=cfg.get('database', ''), help='database of the inspection log tables')
    p.add_argument('--log-schema', default=cfg.get('schema', ''), help='schema of the inspection log tables')
    p.add_argument('--line', default=cfg.get('line'), help='FACTORY_LINE_ID of the logged boards')
    p.add_argument('--shift', default=cfg.get('shift'), help='SHIFT of the logged boards')


def stable_id(*parts):
    """A UUID-shaped id from a SHA-256 of the parts (the same scheme as `defectkit log`): re-running logs no duplicates."""
    import hashlib
    digest = hashlib.sha256(json.dumps(list(parts), separators=(',', ':'), ensure_ascii=False).encode('utf-8')).hexdigest()
    return f'{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}'


def iso_millis(at):
    """`2026-11-30T06:00:00.000Z`: the UTC text JavaScript's toISOString writes (part of the ids)."""
    return at.strftime('%Y-%m-%dT%H:%M:%S.') + f'{at.microsecond // 1000:03d}Z'


def inspection_rows(image_path, index, prediction, model_name, model_version, at, line=None, shift=None, inference_ms=None):
    """One board's log rows from one PREDICT answer: (board row, defect rows), dicts keyed by the log's columns.

    Clean boards get a row too (VERDICT 'pass'), so yield can be computed; every detection is a model call
    (SOURCE 'model') waiting for review (REVIEW_VERDICT NULL).
    """
    detections = prediction.get('DETECTIONS') or []
    if isinstance(detections, str):
        detections = json.loads(detections)
    board_id = os.path.splitext(os.path.basename(image_path))[0]
    inference_id = stable_id(iso_millis(at), model_name, model_version, index, image_path)
    board = {'INFERENCE_ID': inference_id, 'BOARD_ID': board_id, 'IMAGE_PATH': image_path, 'TIMESTAMP': at,
             'FACTORY_LINE_ID': line, 'SHIFT': shift, 'MODEL_NAME': model_name, 'MODEL_VERSION': model_version,
             'VERDICT': 'fail' if detections else 'pass', 'DEFECT_COUNT': len(detections),
             'IMAGE_WIDTH': int(prediction['WIDTH']), 'IMAGE_HEIGHT': int(prediction['HEIGHT']), 'INFERENCE_MS': inference_ms}
    defects = [{'DEFECT_ID': stable_id(inference_id, n), 'INFERENCE_ID': inference_id, 'BOARD_ID': board_id, 'TIMESTAMP': at,
                'DETECTED_CLASS': d['label'], 'CONFIDENCE_SCORE': float(d['score']),
                'BOUNDING_BOX_COORDINATES': json.dumps([float(d['x1']), float(d['y1']), float(d['x2']), float(d['y2'])]),
                'MODEL_NAME': model_name, 'MODEL_VERSION': model_version, 'FACTORY_LINE_ID': line, 'SHIFT': shift,
                'SOURCE': 'model', 'REVIEW_VERDICT': None,
                'REVIEWER': None, 'REVIEWED_AT': None} for n, d in enumerate(detections)]
    return board, defects


def batch_inference(session, model_version, images_stage, database, schema, line=None, shift=None, batch=16, log=print):
    """Runs the logged model's PREDICT on every image under a stage folder and appends the boards and their defect
    calls to the inspection log (BOARD_INSPECTIONS, DEFECT_LOGS: create them with `defectkit snowflake setup`)."""
    import datetime
    import pandas as pd
    images_stage = images_stage.rstrip('/')
    prefix = images_stage.split('/', 1)[1] + '/' if '/' in images_stage else ''
    rels = []
    for r in session.sql(f"LIST {images_stage}/").collect():
        name = r['name']
        rel = name.split('/', 1)[1][len(prefix):] if '/' in name else name
        if rel.lower().endswith(('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')):
            rels.append(rel)
    if not rels:
        log(f'batch inference: no images under {images_stage}: nothing logged')
        return 0
    at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    boards, defects = [], []
    for start in range(0, len(rels), batch):
        chunk = rels[start:start + batch]
        images = [session.file.get_stream(f'{images_stage}/{rel}').read() for rel in chunk]
        t0 = time.time()
        out = model_version.run(pd.DataFrame({'IMAGE': images}), function_name='predict')
        ms = (time.time() - t0) * 1000 / len(chunk)
        for i, (rel, row) in enumerate(zip(chunk, out.to_dict('records'))):
            board, calls = inspection_rows(f'{images_stage}/{rel}', start + i, row, model_version.model_name,
                                           model_version.version_name, at, line, shift, ms)
            boards.append(board)
            defects += calls
    for table, rows, columns in (('BOARD_INSPECTIONS', boards, BOARD_COLUMNS), ('DEFECT_LOGS', defects, DEFECT_COLUMNS)):
        if rows:
            session.write_pandas(pd.DataFrame(rows, columns=columns), table, database=database, schema=schema,
                                 quote_identifiers=True, auto_create_table=False, overwrite=False)
    log(f'batch inference: {len(boards)} boards, {len(defects)} defect calls logged to {database}.{schema}')
    return len(boards)
