# False-call rate per week, line and model version (V_FALSE_CALL_RATE, from reviewers' verdicts): the seed spec's
# KPI is cutting it by 25% with a model change, so the chart compares model versions week by week.
import json

import altair as alt
import streamlit as st
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# defectkit:include app_model


def main():
    st.title('False-call rate')
    session = get_active_session()
    weekly = session.sql(
        f"SELECT INSPECTION_WEEK, MODEL_VERSION, SUM(REVIEWED_CALLS) AS REVIEWED_CALLS, SUM(FALSE_CALLS) AS FALSE_CALLS, "
        f"SUM(FALSE_CALLS) / NULLIF(SUM(REVIEWED_CALLS), 0) AS FALSE_CALL_RATE FROM {log_table('V_FALSE_CALL_RATE')} "
        "GROUP BY INSPECTION_WEEK, MODEL_VERSION ORDER BY INSPECTION_WEEK").to_pandas()
    if weekly.empty:
        st.info('No reviewed calls yet: review them on the Vision Lab review page or with `defectkit log review`.')
        return
    st.altair_chart(alt.Chart(weekly).mark_line(point=True).encode(
        x='INSPECTION_WEEK:T', y=alt.Y('FALSE_CALL_RATE:Q', axis=alt.Axis(format='%')), color='MODEL_VERSION:N',
        tooltip=['MODEL_VERSION', 'REVIEWED_CALLS', 'FALSE_CALLS']), use_container_width=True)
    st.dataframe(weekly)


main()
