# Ask the inspection log in plain words: Cortex Analyst turns the question into SQL over the semantic model
# (semantic_model.yaml, uploaded to a stage by `defectkit snowflake deploy --app dashboard`), and the app runs it.
import json

import streamlit as st
from snowflake.snowpark.context import get_active_session

# Options chosen when this app was emitted (`defectkit app emit`).
CONFIG = json.loads(__DEFECTKIT_CONFIG__)


def ask(question):
    """POST /api/v2/cortex/analyst/message from inside Snowflake (Streamlit's _snowflake bridge signs the call)."""
    import _snowflake
    body = {'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': question}]}],
            'semantic_model_file': CONFIG['semanticModelFile']}
    response = _snowflake.send_snow_api_request('POST', '/api/v2/cortex/analyst/message', {}, {}, body, None, 50000)
    content = json.loads(response['content'])
    if response['status'] >= 400:
        raise RuntimeError(f"Cortex Analyst answered {response['status']}: {content.get('message', content)}")
    return content


def main():
    st.title('Ask the inspection log')
    session = get_active_session()
    question = st.text_input('Question', value='What is the defect rate per factory line for the last 30 days?')
    if not st.button('Ask'):
        return
    answer = ask(question)
    for block in answer['message']['content']:
        if block['type'] == 'text':
            st.markdown(block['text'])
        elif block['type'] == 'suggestions':
            st.write('Try: ' + '; '.join(block['suggestions']))
        elif block['type'] == 'sql':
            st.code(block['statement'], language='sql')
            st.dataframe(session.sql(block['statement']).to_pandas())


main()
