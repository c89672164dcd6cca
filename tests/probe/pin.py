"""The kernel's answers to every probe case, pinned per kernel major version.

    sudo python tests/probe/pin.py      # rewrite tests/probe/expected/linux-MAJOR.json

A pin records, for each case of ``tcpcheck probe``, what the kernel sent back (the flags of
each segment) and the socket's state afterwards, with the kernel release and the sysctls
that change outcomes; tests/probe/test_pinned.py compares a fresh run with it.  The run is
of models/linux.tcp with data (``--set DATA=1``), whose every case matches: a pin is written only from a run without a
divergence, so that what it records is also what linux.tcp states."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from tcpcheck.model.ir import flag_text  # noqa: E402

EXPECTED = Path(__file__).resolve().parent / "expected"
MODEL = ROOT / "models" / "linux.tcp"
OVERRIDES = {"DATA": 1}  # one octet each way: the model predicts the data cases


def major(release: str) -> str:
    return release.split(".", 1)[0]


def pin_path(release: str) -> Path:
    return EXPECTED / f"linux-{major(release)}.json"


def observations(result) -> dict:
    """case name -> {"reply": [flags, ...], "after": state} for every case that ran."""
    return {o.case.name: {"reply": [flag_text(b) for b in o.observed.replies],
                          "after": o.observed.after}
            for o in result.outcomes if o.observed is not None and o.observed.error is None}


def record(result) -> dict:
    return {"kernel": result.kernel, "sysctls": dict(result.sysctls),
            "cases": observations(result)}


def dumps(pin: dict) -> str:
    """The pin as JSON with one case per line (a diff then shows the cases that moved)."""
    cases = ",\n".join(f"  {json.dumps(name)}: {json.dumps(answer, sort_keys=True)}"
                        for name, answer in sorted(pin["cases"].items()))
    return (f'{{\n "kernel": {json.dumps(pin["kernel"])},\n'
            f' "sysctls": {json.dumps(pin["sysctls"], sort_keys=True)},\n'
            f' "cases": {{\n{cases}\n }}\n}}\n')


def differences(pinned: dict, result) -> list:
    """One line per case whose answer differs from the pin (or is missing on either side),
    and one per outcome-changing sysctl whose value differs."""
    seen = observations(result)
    lines = []
    for name in sorted(set(pinned["cases"]) | set(seen)):
        want, got = pinned["cases"].get(name), seen.get(name)
        if want != got:
            lines.append(f"{name}: pinned {_text(want)}, now {_text(got)}")
    now = dict(result.sysctls)
    for key in sorted(set(pinned["sysctls"]) | set(now)):
        if pinned["sysctls"].get(key) != now.get(key):
            lines.append(f"sysctl {key}: pinned {pinned['sysctls'].get(key)}, "
                         f"now {now.get(key)}")
    return lines


def _text(answer) -> str:
    if answer is None:
        return "(no such case)"
    return f"{', '.join(answer['reply']) or 'none'} -> {answer['after']}"


def main() -> int:
    from tcpcheck.analyses import probe
    from tcpcheck.loader import load_file

    result = probe.run(load_file(str(MODEL), OVERRIDES), probe.all_cases())
    if result.exit_code != 0:
        print(f"not pinned: probe of {MODEL.name} exited {result.exit_code} (every case must "
              f"match first)", file=sys.stderr)
        return 1
    path = pin_path(result.kernel)
    path.parent.mkdir(exist_ok=True)
    path.write_text(dumps(record(result)))
    print(f"wrote {path.relative_to(ROOT)}: {len(result.outcomes)} cases, kernel "
          f"{result.kernel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
