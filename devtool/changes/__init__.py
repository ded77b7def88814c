"""How files change: a plan of file changes, the transaction and its journal, registration edits."""
