"""The tcpspec language: grammar, syntax tree and parser (the only stage that imports Lark)."""
