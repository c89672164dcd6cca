"""Symbolic verification with Z3: bounded model checking, k-induction and Spacer (PDR).

The only package that imports ``z3``.  :func:`prove` encodes the frozen model once
(:mod:`tcpcheck.symbolic.encoding`) and hands it to the chosen engine
(:mod:`tcpcheck.symbolic.engines`); counterexamples come back as the same
:class:`tcpcheck.trace.Trace` the explicit engine returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.diagnostics import TcpcheckError
from tcpcheck.model import ir
from tcpcheck.result import PropertyResult, REACHED, UNREACHABLE, VIOLATED, property_named
from tcpcheck.symbolic.encoding import JUMP, REAL_SEQSPACE, UNIT, Encoding, unsupported_message
from tcpcheck.symbolic.engines import BOUNDED, PROVED, UNKNOWN, bmc, kinduction, pdr
from tcpcheck.symbolic.properties import goals
from tcpcheck.symbolic.solving import Budget
from tcpcheck.symbolic.terms import Unsupported

ENGINES = {"bmc": bmc, "kind": kinduction, "pdr": pdr}
__all__ = ["ProveOptions", "ProofResult", "prove", "synthesize", "ENGINES", "PROVED", "BOUNDED", "UNKNOWN",
           "UNIT", "JUMP", "REAL_SEQSPACE", "SymbolicUnsupported"]


class SymbolicUnsupported(TcpcheckError):
    """The model uses a construct the symbolic engine does not encode (exit 2)."""


@dataclass(frozen=True)
class ProveOptions:
    """``seqspace``: None = the real 32-bit space; a number = that modulus (the model's own
    ``bounds.seqspace`` reproduces the explicit engine).  ``time``: ``jump`` (any number of
    ticks per step: the default, and what proofs for every parameter value need) or
    ``unit`` (one tick per step: the explicit engine's steps).  ``symbolic_params``: every
    ``param`` ranges over all values its constraints allow (else its default)."""

    engine: str = "bmc"
    depth: int = 10
    timeout: float | None = None
    properties: tuple | None = None
    seqspace: int | None = None
    time: str = JUMP
    symbolic_params: bool = True
    progress: object = None  # callable(phase: str, seconds: float)


@dataclass(frozen=True)
class ProofResult:
    model: str
    engine: str
    properties: tuple
    seconds: float
    solver_seconds: float
    seqspace: int
    time: str
    symbolic_params: tuple  # names of the params treated as symbolic

    def get(self, name: str) -> PropertyResult:
        return property_named(self.properties, name)

    @property
    def exit_code(self) -> int:
        """0 all proved (goals reached), 1 one violated (a goal unreachable), 3 otherwise."""
        statuses = {p.status for p in self.properties}
        if statuses & {VIOLATED, UNREACHABLE}:
            return 1
        if statuses <= {PROVED, REACHED}:
            return 0
        return 3


def _require_some_parameter_value(enc: Encoding) -> None:
    """Constraints that no value satisfies would make every property "proved": refuse."""
    import z3

    solver = z3.Solver()
    solver.add(enc.parameter_constraints())
    if solver.check() == z3.unsat:
        names = ", ".join(p.name for p in enc.model.params)
        raise SymbolicUnsupported(f"no value of the params ({names}) satisfies their 'where' "
                                  "constraints together; every property would hold vacuously")


def synthesize(model: ir.Model, prop: str, param: str, *, depth: int = 30,
               timeout: float | None = None, upper: int = 16, samples: int = 3, progress=None,
               engine: str = "pdr", induction_depth: int = 1):
    """The least value of ``param`` for which ``prop`` holds (see tcpcheck.symbolic.synth);
    each proof by ``engine``: Spacer (``pdr``) or k-induction with the model's lemmas
    (``kind``, k up to ``induction_depth``)."""
    from tcpcheck.symbolic.synth import Synthesizer

    def run(candidate: ir.Model, engine: str, k: int):
        options = ProveOptions(engine=engine, depth=k, timeout=timeout, properties=(prop,),
                               progress=progress)
        return prove(candidate, options).get(prop)

    return Synthesizer(model, prop, param, run, upper=upper, samples=samples, depth=depth,
                       engine=engine, induction_depth=induction_depth).run()


def encode(model: ir.Model, options: ProveOptions) -> Encoding:
    try:
        return Encoding(model, seqspace=options.seqspace or REAL_SEQSPACE, time=options.time,
                        symbolic_params=options.symbolic_params)
    except Unsupported as err:
        raise SymbolicUnsupported(unsupported_message(err)) from None


def prove(model: ir.Model, options: ProveOptions = ProveOptions()) -> ProofResult:
    """Decide the selected properties (all, and ``domains``) with one symbolic engine."""
    enc = encode(model, options)
    _require_some_parameter_value(enc)
    budget = Budget(options.timeout, options.progress)
    names = None if options.properties is None else set(options.properties)
    try:
        chosen = goals(enc, names)
        results = ENGINES[options.engine](enc, chosen, options.depth, budget)
    except Unsupported as err:
        raise SymbolicUnsupported(unsupported_message(err)) from None
    symbolic = tuple(p.name for p in getattr(model, "params", ())) if enc.symbolic_params else ()
    return ProofResult(model.name, options.engine, tuple(results), budget.elapsed(),
                       budget.solver_seconds, enc.arith.modulus, options.time, symbolic)
