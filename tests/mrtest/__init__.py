"""Support code for the model-registry test suite (server lifecycle, HTTP helpers)."""
