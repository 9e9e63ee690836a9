"""The Streamlit dashboard: thin over experiments and report, it holds no model logic."""
