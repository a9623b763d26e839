"""The least a Streamlit page with one Plotly chart can be: a title and a 500-point curve,
nothing of the classroom. benchmarks/stack_floor.py opens it to measure what the fixed stack
(Streamlit's front end, Plotly's script, Chromium) costs a new session on this machine."""

import plotly.graph_objects as go
import streamlit as st

st.title("One chart")
st.plotly_chart(go.Figure(go.Scatter(y=[1.0 / (1 + epoch) for epoch in range(500)])),
                key="curves")
