# Training progress of the classifier's container job: one TRAINING_LOG row per epoch (written by train.py when it
# runs as a Snowpark Container Services job; see job/README in the notebook project).
import json

import streamlit as st
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)


def main():
    st.title('Training log')
    session = get_active_session()
    log = session.sql(f"SELECT RUN_ID, EPOCH, LOSS, VAL_ACCURACY, SECONDS, LOGGED_AT FROM "
                      f"{CONFIG['database']}.{CONFIG['schema']}.TRAINING_LOG ORDER BY LOGGED_AT, EPOCH").to_pandas()
    if log.empty:
        st.info('No training run logged yet.')
        return
    run = st.selectbox('Run', list(dict.fromkeys(log['RUN_ID'])))
    one = log[log['RUN_ID'] == run].set_index('EPOCH')
    st.line_chart(one[['LOSS', 'VAL_ACCURACY']])
    st.dataframe(one)


main()
