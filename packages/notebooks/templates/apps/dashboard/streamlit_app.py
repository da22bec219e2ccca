# DefectKit executive dashboard (Streamlit in Snowflake): yield, defect rate, Pareto of defect classes, the line x
# shift heatmap and the golden question, read from the inspection-log views `defectkit snowflake setup` creates.
# Emitted by `defectkit app emit --app dashboard`; deploy with `snow streamlit deploy --replace`.
import datetime
import json

import altair as alt
import streamlit as st
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# defectkit:include app_model


def filters(session):
    """Date range, lines and model versions from the sidebar, as a WHERE clause and its binds."""
    today = datetime.date.today()
    start, end = st.sidebar.date_input('Inspection dates', value=(today - datetime.timedelta(days=30), today))
    lines = [r[0] for r in session.sql(f"SELECT DISTINCT FACTORY_LINE_ID FROM {log_table('V_YIELD_DAILY')} "
                                       "WHERE FACTORY_LINE_ID IS NOT NULL ORDER BY 1").collect()]
    versions = [r[0] for r in session.sql(f"SELECT DISTINCT MODEL_VERSION FROM {log_table('V_YIELD_DAILY')} ORDER BY 1").collect()]
    chosen_lines = st.sidebar.multiselect('Factory lines', lines, default=lines)
    chosen_versions = st.sidebar.multiselect('Model versions', versions, default=versions)
    where, binds = ['INSPECTION_DATE BETWEEN ? AND ?'], [start, end]
    if chosen_lines and len(chosen_lines) < len(lines):
        where.append(f"FACTORY_LINE_ID IN ({', '.join('?' for _ in chosen_lines)})")
        binds += chosen_lines
    if chosen_versions and len(chosen_versions) < len(versions):
        where.append(f"MODEL_VERSION IN ({', '.join('?' for _ in chosen_versions)})")
        binds += chosen_versions
    return ' AND '.join(where), binds


def main():
    st.set_page_config(page_title=CONFIG['title'], layout='wide')
    st.title(CONFIG['title'])
    session = get_active_session()
    where, binds = filters(session)
    daily = session.sql(
        f"SELECT INSPECTION_DATE, SUM(BOARDS) AS BOARDS, SUM(PASSED) AS PASSED, SUM(FAILED) AS FAILED, "
        f"SUM(PASSED) / SUM(BOARDS) AS YIELD, SUM(FAILED) / SUM(BOARDS) AS DEFECT_RATE "
        f"FROM {log_table('V_YIELD_DAILY')} WHERE {where} GROUP BY INSPECTION_DATE ORDER BY INSPECTION_DATE",
        params=binds).to_pandas()
    boards = int(daily['BOARDS'].sum()) if not daily.empty else 0
    passed = int(daily['PASSED'].sum()) if not daily.empty else 0
    k1, k2, k3 = st.columns(3)
    k1.metric('Boards inspected', boards)
    k2.metric('Yield', f'{passed / boards:.1%}' if boards else 'n/a')
    k3.metric('Defect rate', f'{(boards - passed) / boards:.1%}' if boards else 'n/a')
    if not daily.empty:
        trend = daily.melt('INSPECTION_DATE', ['YIELD', 'DEFECT_RATE'], 'MEASURE', 'VALUE')
        st.altair_chart(alt.Chart(trend).mark_line(point=True).encode(
            x='INSPECTION_DATE:T', y=alt.Y('VALUE:Q', axis=alt.Axis(format='%')), color='MEASURE:N'), use_container_width=True)
    left, right = st.columns(2)
    pareto = session.sql(f"SELECT DETECTED_CLASS, DEFECTS, CUMULATIVE_SHARE FROM {log_table('V_DEFECT_PARETO')} "
                         "ORDER BY PARETO_RANK").to_pandas()
    left.subheader('Defect Pareto')
    if not pareto.empty:
        base = alt.Chart(pareto).encode(x=alt.X('DETECTED_CLASS:N', sort=None))
        left.altair_chart(alt.layer(base.mark_bar().encode(y='DEFECTS:Q'),
                                    base.mark_line(color='black', point=True).encode(
                                        y=alt.Y('CUMULATIVE_SHARE:Q', axis=alt.Axis(format='%')))).resolve_scale(y='independent'),
                          use_container_width=True)
    heat = session.sql(f"SELECT FACTORY_LINE_ID, SHIFT, BOARDS, DEFECT_RATE FROM {log_table('V_LINE_SHIFT')}").to_pandas()
    right.subheader('Line x shift defect rate')
    if not heat.empty:
        right.altair_chart(alt.Chart(heat).mark_rect().encode(
            x='SHIFT:N', y='FACTORY_LINE_ID:N', color=alt.Color('DEFECT_RATE:Q', scale=alt.Scale(scheme='orangered')),
            tooltip=['FACTORY_LINE_ID', 'SHIFT', 'BOARDS', alt.Tooltip('DEFECT_RATE:Q', format='.1%')]), use_container_width=True)
    st.subheader('Defect rate per factory line, last 30 days')
    st.dataframe(session.sql(f"SELECT * FROM {log_table('V_DEFECT_RATE_BY_LINE_30D')} ORDER BY DEFECT_RATE DESC").to_pandas())


main()
