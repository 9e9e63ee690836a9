"""Views of results: labels, number formats shared by CLI and dashboard, figures, files."""
