"""Spec files: YAML with line numbers, validation, the spec cache."""
