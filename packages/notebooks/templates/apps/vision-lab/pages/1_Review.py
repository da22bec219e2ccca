# Review page: reviewers mark each model call as a true defect or a false call; the false-call rate view
# (V_FALSE_CALL_RATE) is computed from these verdicts.
import datetime
import json

import streamlit as st
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# defectkit:include app_model


def main():
    st.title('Review defect calls')
    session = get_active_session()
    limit = st.sidebar.number_input('Calls to show', min_value=1, max_value=500, value=50)
    calls = session.sql(
        f"SELECT DEFECT_ID, BOARD_ID, DETECTED_CLASS, CONFIDENCE_SCORE, BOUNDING_BOX_COORDINATES, \"TIMESTAMP\" "
        f"FROM {log_table('DEFECT_LOGS')} WHERE SOURCE = 'model' AND REVIEW_VERDICT IS NULL "
        f"ORDER BY \"TIMESTAMP\" DESC LIMIT {int(limit)}").to_pandas()
    if calls.empty:
        st.success('Every call is reviewed.')
        return
    reviewer = st.sidebar.text_input('Reviewer', value='')
    for row in calls.itertuples():
        c1, c2, c3 = st.columns([4, 1, 1])
        c1.write(f'{row.BOARD_ID}: **{row.DETECTED_CLASS}** ({row.CONFIDENCE_SCORE:.2f}) at {row.BOUNDING_BOX_COORDINATES}')
        for column, verdict, text in ((c2, 'true_defect', 'True defect'), (c3, 'false_call', 'False call')):
            if column.button(text, key=f'{row.DEFECT_ID}-{verdict}'):
                session.sql(f"UPDATE {log_table('DEFECT_LOGS')} SET REVIEW_VERDICT = ?, REVIEWER = ?, REVIEWED_AT = ? "
                            f"WHERE DEFECT_ID = ?",
                            params=[verdict, reviewer or None, datetime.datetime.utcnow(), row.DEFECT_ID]).collect()
                st.rerun()


main()
