"""The Streamlit dashboard (thin: calls sim, holds no model logic): a later issue."""
