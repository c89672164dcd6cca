"""Parameter synthesis: the least value of one ``param`` for which a property holds, as an
expression in the other params where that is the answer (``TW = 2*MSL``).

The search, each step a verdict of the ordinary engines:

1. **Samples.** For a few values of the other params that can be fixed (each param in turn
   fixed to small values allowed by the constraints, the rest symbolic), the least value
   ``t`` of the target such that the property is *proved* (Spacer, or k-induction with
   the model's lemmas when asked for: a model whose lemmas hold only above the boundary
   gets "not proved" below it, and BMC's run decides) while ``t - 1`` is
   *violated* (a BMC run): so every sample is exact, not a guess.
2. **Fit.** An expression ``a*X + b`` (X another param, or a constant) through every sample.
3. **Check.** The property is proved for ``target >= expression`` with every param symbolic,
   and a counterexample is found for ``target = expression - 1``.

Only what was proved is reported as proved; when no line fits or a step is not decided the
answer says so and lists the samples.  A signal or the memory limit ends the whole search
(no further candidate): the answer then lists the samples established so far and says
where it stopped (``stop_reason``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError
from tcpcheck.model import ir
from tcpcheck.result import VIOLATED
from tcpcheck.symbolic.engines import PROVED
from tcpcheck.symbolic.portfolio import stop_words
from tcpcheck.symbolic.stopping import Stopped


@dataclass(frozen=True)
class Sample:
    fixed: tuple  # (param name, value) pairs
    least: int | None  # None: not found within the search range
    detail: str = ""


@dataclass(frozen=True)
class SynthResult:
    model: str
    property: str
    param: str
    samples: tuple
    expression: str | None  # "2*MSL", "3", or None when no line fits
    proved_at_least: bool  # the property is proved for param >= expression, every param value
    below: object = None  # PropertyResult at param = expression - 1 (violated, with a trace)
    detail: str = ""
    stop_reason: str | None = None  # a reason of tcpcheck.limits when the search was cut short

    @property
    def exit_code(self) -> int:
        return 0 if self.expression is not None and self.proved_at_least and \
            self.below is not None and self.below.status == VIOLATED and \
            self.stop_reason is None else 3


def _lit(v: int):
    return ir.Lit(v, ir.IntType(v, v))


def _ref(model: ir.Model, name: str) -> ir.ParamRef:
    for i, p in enumerate(model.params):
        if p.name == name:
            return ir.ParamRef(i, p.name, p.default)
    raise KeyError(name)


def _constrain(model: ir.Model, name: str, relation: str, expr, *, replace: bool) -> ir.Model:
    """``model`` with ``name relation expr`` added to (or replacing) its param's constraint."""
    params = []
    for p in model.params:
        if p.name == name:
            extra = ir.Binary(relation, _ref(model, name), expr, ir.BOOL)
            keep = None if replace else p.constraint
            p = dataclasses.replace(p, constraint=extra if keep is None else
                                    ir.Binary("and", keep, extra, ir.BOOL))
        params.append(p)
    return dataclasses.replace(model, params=tuple(params))


def _expression(model, a: int, x: str | None, b: int):
    if x is None:
        return _lit(b)
    term = _ref(model, x) if a == 1 else ir.Binary("*", _lit(a), _ref(model, x), ir.INT)
    if b == 0:
        return term
    return ir.Binary("+", term, _lit(b), ir.INT)


def expression_text(a: int, x: str | None, b: int) -> str:
    if x is None:
        return str(b)
    text = x if a == 1 else f"{a}*{x}"
    return text + (f" + {b}" if b > 0 else f" - {-b}" if b < 0 else "")


class Synthesizer:
    def __init__(self, model: ir.Model, prop: str, param: str, prove, *, lower: int = 0,
                 upper: int = 16, samples: int = 3, depth: int = 30, engine: str = "pdr",
                 induction_depth: int = 1, limits: dict | None = None):
        names = [p.name for p in model.params]
        if param not in names:
            raise UsageError(f"model {model.name} has no param '{param}'; it has: "
                             f"{', '.join(names) or 'none'}")
        self.model = model
        self.prop = prop
        self.param = param
        self.prove = prove  # callable(model, engine, depth) -> PropertyResult for self.prop
        self.lower, self.upper, self.count, self.depth = lower, upper, samples, depth
        self.others = [p.name for p in model.params if p.name != param]
        self.engine = engine  # what proves: "pdr" (Spacer) or "kind" (with the lemmas)
        self.proof_depth = induction_depth if engine == "kind" else depth
        self.limits = limits or {}
        self.established: list = []  # every sample decided so far
        self.doing = ""  # what the search does now, for a stop's report
        self.fitted: str | None = None  # the expression through the samples, once fitted
        self.proof = None  # its proof's result, once done

    # -- step 1 ------------------------------------------------------------------------
    def least(self, model: ir.Model, label: str = "searching") -> tuple:
        """(least value, detail): the smallest target value proved (Spacer), every smaller
        one refuted by a BMC run."""
        for t in range(self.lower, self.upper + 1):
            self.doing = f"{label}, trying {self.param} = {t}"
            fixed = _constrain(model, self.param, "==", _lit(t), replace=True)
            proof = self.prove(fixed, self.engine, self.proof_depth)
            if proof.status == PROVED:
                return t, f"proved at {t}" + (f", violated at {t - 1}" if t > self.lower else "")
            found = proof if proof.status == VIOLATED else self.prove(fixed, "bmc", self.depth)
            if found.status != VIOLATED:
                return None, f"at {t}: neither proved nor refuted ({proof.detail}; {found.detail})"
        return None, f"violated for every value up to {self.upper}"

    def samples(self, x: str) -> list:
        out = []
        for v in range(1, self.count + 1):
            model = _constrain(self.model, x, "==", _lit(v), replace=False)
            least, detail = self.least(model, f"sampling {x} = {v}")
            out.append(Sample(((x, v),), least, detail))
            self.established.append(out[-1])
        return out

    # -- steps 2 and 3 -----------------------------------------------------------------
    @staticmethod
    def fit(samples: list):
        points = [(s.fixed[0][1], s.least) for s in samples]
        if any(t is None for _, t in points) or len(points) < 2:
            return None
        (x0, t0), (x1, t1) = points[0], points[1]
        a, rem = divmod(t1 - t0, x1 - x0)
        if rem:
            return None
        b = t0 - a * x0
        if all(t == a * x + b for x, t in points):
            return a, b
        return None

    def run(self) -> SynthResult:
        try:
            return self._search()
        except Stopped as stop:
            where = f" while {self.doing}" if self.doing else ""
            proved = self.proof is not None and self.proof.status == PROVED
            return SynthResult(self.model.name, self.prop, self.param, tuple(self.established),
                               self.fitted, proved, detail=f"{stop_words(stop.reason, self.limits)}"
                               f"{where}; the search stopped there", stop_reason=stop.reason)

    def _search(self) -> SynthResult:
        tried = []
        for x in self.others:
            samples = self.samples(x)
            tried += samples
            line = self.fit(samples)
            if line is None:
                continue
            a, b = line
            name = x if a != 0 else None
            expr = _expression(self.model, a, name, b)
            text = expression_text(a, name, b)
            at_least = _constrain(self.model, self.param, ">=", expr, replace=True)
            self.doing = f"proving {self.prop} for {self.param} >= {text}"
            self.fitted = text
            proof = self.proof = self.prove(at_least, self.engine, self.proof_depth)
            below_model = _constrain(self.model, self.param, "==",
                                     ir.Binary("-", expr, _lit(1), ir.INT), replace=True)
            self.doing = f"looking for the run at {self.param} = {text} - 1"
            below = self.prove(below_model, "bmc", self.depth)
            return SynthResult(self.model.name, self.prop, self.param, tuple(tried), text,
                               proof.status == PROVED, below,
                               detail=f"{self.param} >= {text}: {proof.status} ({proof.detail}); "
                                      f"{self.param} = {text} - 1: {below.status}")
        return SynthResult(self.model.name, self.prop, self.param, tuple(tried), None, False,
                           detail="no expression a*X + b fits every sample")
