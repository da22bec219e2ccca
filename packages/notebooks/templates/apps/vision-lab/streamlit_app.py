# DefectKit Vision Lab (Streamlit in Snowflake): inspect a board image with the registry model and log the result.
# Emitted by `defectkit app emit --app vision-lab`; deploy with `snow streamlit deploy --replace` (snowflake.yml)
# or `defectkit snowflake deploy --app vision-lab`.
import datetime
import io
import json
import os
import time

import pandas as pd
import streamlit as st
from PIL import Image, ImageDraw
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# defectkit:include app_model


# defectkit:include inspection_log


def draw(image, detections):
    """The image with each detection's box and label drawn on it."""
    canvas = image.convert('RGB')
    pen = ImageDraw.Draw(canvas)
    for d in detections:
        pen.rectangle([d['x1'], d['y1'], d['x2'], d['y2']], outline=(255, 64, 32), width=2)
        pen.text((d['x1'] + 2, max(0, d['y1'] - 12)), f"{d['label']} {d['score']:.2f}", fill=(255, 64, 32))
    return canvas


def log_board(session, name, answer, line, shift, ms):
    """Appends the board and its calls to the inspection log, the same rows the notebooks' batch step writes."""
    at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    board, defects = inspection_rows(name, 0, answer, CONFIG['model'], CONFIG.get('modelVersion') or 'DEFAULT', at,
                                     line or None, shift or None, ms)
    session.write_pandas(pd.DataFrame([board], columns=BOARD_COLUMNS), 'BOARD_INSPECTIONS', database=CONFIG['logDatabase'],
                         schema=CONFIG['logSchema'], quote_identifiers=True, auto_create_table=False, overwrite=False)
    if defects:
        session.write_pandas(pd.DataFrame(defects, columns=DEFECT_COLUMNS), 'DEFECT_LOGS', database=CONFIG['logDatabase'],
                             schema=CONFIG['logSchema'], quote_identifiers=True, auto_create_table=False, overwrite=False)
    return board['INFERENCE_ID']


def main():
    st.set_page_config(page_title=CONFIG['title'], layout='wide')
    st.title(CONFIG['title'])
    st.caption(f"Model {model_ref()} through MODEL(...)!PREDICT; log {CONFIG['logDatabase']}.{CONFIG['logSchema']}")
    session = get_active_session()
    upload = st.file_uploader('Board image', type=['jpg', 'jpeg', 'png', 'bmp', 'tif', 'tiff'])
    line = st.sidebar.text_input('Factory line', value=CONFIG.get('line') or '')
    shift = st.sidebar.text_input('Shift', value=CONFIG.get('shift') or '')
    if upload is None:
        st.info('Upload a board image to inspect it.')
        return
    data = upload.getvalue()
    t0 = time.time()
    answer = predict_image(session, data)
    ms = (time.time() - t0) * 1000
    detections = answer.get('DETECTIONS') or []
    left, right = st.columns([3, 2])
    left.image(draw(Image.open(io.BytesIO(data)), detections), caption=f'{upload.name}: {len(detections)} defect(s)')
    right.metric('Verdict', 'fail' if detections else 'pass')
    right.dataframe(pd.DataFrame(detections, columns=['label', 'score', 'x1', 'y1', 'x2', 'y2']))
    if right.button('Log this board'):
        inference_id = log_board(session, upload.name, answer, line, shift, ms)
        right.success(f'logged as {inference_id}')


main()
