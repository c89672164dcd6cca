"""Parser tests (a package, so that test module names may repeat across tests/ folders)."""
