"""The fuzz campaign: mutated corpus records, differential against the live references (see run.py)."""
