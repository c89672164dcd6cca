"""The exploration core shared by the explicit engines and the analyses built on them: one
breadth-first search with observers (search)."""
