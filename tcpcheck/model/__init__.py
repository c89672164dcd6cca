"""The frozen model (IR) and the lowering that validates a syntax tree into it."""
