"""Renderers: one module per output format, over the Report model."""
