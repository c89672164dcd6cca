"""Runs of a model: the trace records every engine returns (records), their files (files: JSON
and ITF, read back with limits and checked), the ITF format itself (itf) and the evaluation
of expressions along a saved run (evaluate).  The record types are also importable from here.
"""

from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace

__all__ = ["EndpointView", "SegmentView", "Snapshot", "Step", "Trace"]
