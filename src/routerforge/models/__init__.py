"""Model loading (loading.py), router prompts from the expert registry (prompts.py), and the tiny
random model used by tests (tiny.py)."""
