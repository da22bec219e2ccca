# DefectKit X-ray app (Streamlit in Snowflake): classify a chest X-ray with the registry classifier through
# MODEL(...)!PREDICT (the one model handler answers LABELS, the top classes with their probabilities).
# Emitted by `defectkit app emit --app xray`; deploy with `snow streamlit deploy --replace`.
import io
import json

import pandas as pd
import streamlit as st
from PIL import Image
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# defectkit:include app_model


def main():
    st.set_page_config(page_title=CONFIG['title'])
    st.title(CONFIG['title'])
    st.caption(f'Model {model_ref()}. A research demo, not a medical device.')
    session = get_active_session()
    upload = st.file_uploader('Chest X-ray', type=['jpg', 'jpeg', 'png'])
    if upload is None:
        st.info('Upload an image to classify it.')
        return
    data = upload.getvalue()
    labels = predict_image(session, data).get('LABELS') or []
    left, right = st.columns(2)
    left.image(Image.open(io.BytesIO(data)), caption=upload.name)
    if labels:
        right.metric('Prediction', labels[0]['label'], f"{labels[0]['score']:.1%}")
        right.bar_chart(pd.DataFrame(labels).set_index('label')['score'])


main()
