"""Analyses built on the explicit engine that are not engines themselves: the variant matrix
(compare), the observational difference of two models (diff) and the probe table of one
endpoint (scan).  Each returns records; tcpcheck.render turns them into text."""
