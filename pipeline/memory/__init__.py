"""Lessons: their schema, the JSONL source of truth, and the Qdrant index over it.

May import: core, config."""
