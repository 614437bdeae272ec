"""The domain: plain functions over a database session. No FastAPI, no HTML."""
