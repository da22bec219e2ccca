def model_ref():
    """`DB.SCHEMA.MODEL[, VERSION]` for MODEL(...)!PREDICT: the default version unless CONFIG names one."""
    name = f"{CONFIG['database']}.{CONFIG['schema']}.{CONFIG['model']}"
    return f"{name}, {CONFIG['modelVersion']}" if CONFIG.get('modelVersion') else name


def predict_image(session, data):
    """Runs the registry model on encoded image bytes through MODEL(...)!PREDICT, that is DefectKit's one model
    handler (defectkit_handler.py): an OBJECT with DETECTIONS (boxes in image pixels), WIDTH, HEIGHT, LABELS."""
    import base64
    row = session.sql(f"SELECT MODEL({model_ref()})!PREDICT(TO_BINARY(?, 'BASE64')) AS P",
                      params=[base64.b64encode(data).decode('ascii')]).collect()[0]
    answer = row['P']
    answer = json.loads(answer) if isinstance(answer, str) else dict(answer)
    for key in ('DETECTIONS', 'LABELS'):
        # A model logged from a notebook answers these as JSON text; one logged by `defectkit registry log` as arrays.
        if isinstance(answer.get(key), str):
            answer[key] = json.loads(answer[key])
    return answer


def log_table(name):
    """The fully qualified name of an inspection-log table or view (the tables `defectkit snowflake setup` makes)."""
    return f"{CONFIG['logDatabase']}.{CONFIG['logSchema']}.{name}"
