"""The library's signed-in pages: authoring (workspace.py) and evaluation (reviews.py)."""
