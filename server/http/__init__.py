"""The HTTP edge: the Starlette app, its pages and the transcript routes.

Starlette is imported here and nowhere else (tests/test_layers.py)."""
