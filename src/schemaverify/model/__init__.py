"""The canonical model: schema objects, specs, facts, findings, values, normalization."""
