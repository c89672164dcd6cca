"""The command line on good models: exit codes, the counterexample text, --json, parse, --set."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tcpcheck import __version__
from tcpcheck.cli import main

MODELS = Path(__file__).resolve().parents[1] / "models"
TWO_WAY = str(MODELS / "two_way_handshake.tcp")
THREE_WAY = str(MODELS / "three_way_handshake.tcp")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_violated_property_exits_1_and_prints_the_run():
    code, out, _ = run("check", TWO_WAY, "--format", "steps")
    assert code == 1
    assert "no_stale_accept      VIOLATED  (counterexample: 3 steps)" in out
    assert "client crashes and restarts [crash]" in out
    assert "server receives SYN seq=0 conn=0 [syn_in]" in out
    assert "server   ESTABLISHED" in out


def test_json_follows_the_schema():
    code, out, _ = run("check", TWO_WAY, "--json")
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1 and data["schema"] == 1
    assert data["tcpcheck"] == __version__ and data["engine"] == "explicit"
    prop = {p["name"]: p for p in data["properties"]}["no_stale_accept"]
    assert prop["status"] == "violated" and prop["trace"]["length"] == 3
    steps = prop["trace"]["steps"]
    assert [s["kind"] for s in steps] == ["init", "user", "crash", "recv"]
    assert steps[3]["received"]["flags"] == ["SYN"]
    assert steps[3]["state"]["endpoints"][1]["state"] == "ESTABLISHED"
    assert set(data["stats"]) >= {"states", "transitions", "diameter", "seconds",
                                  "states_per_second", "peak_memory_mb", "bytes_per_state",
                                  "compile_seconds", "coverage"}


def test_a_limit_gives_exit_3_and_never_holds():
    code, out, _ = run("check", THREE_WAY, "--max-states", "500", "-p", "no_stale_accept")
    assert code == 3
    assert "NOT VERIFIED" in out and "holds" not in out.split("\n\n")[1]
    assert "not explored completely" in out


def test_holding_property_exits_0():
    # the three-way model at one segment per direction and one life: small and holding
    code, out, _ = run("check", THREE_WAY, "--set", "channel.capacity=1",
                       "--set", "bounds.incarnations=1", "-p", "no_stale_accept")
    assert code == 0
    assert "  no_stale_accept  holds" in out


def test_set_rejects_unknown_names_with_a_hint():
    code, _, err = run("check", TWO_WAY, "--set", "channel.capasity=1")
    assert code == 2 and "did you mean 'capacity'" in err


def test_parse_summarises_the_model():
    code, out, _ = run("parse", TWO_WAY)
    assert code == 0
    assert "endpoint client: 3 states" in out and "no_stale_accept [step]" in out
    code, out, _ = run("parse", TWO_WAY, "--json")
    data = json.loads(out)
    assert data["bounds"] == {"seqspace": 4, "incarnations": 2}
    assert [e["name"] for e in data["endpoints"]] == ["client", "server"]


def test_no_command_prints_help_and_exits_2():
    code, out, _ = run()
    assert code == 2 and "tcpcheck check models/two_way_handshake.tcp" in out


def test_awkward_command_lines_are_usage_errors(tmp_path):
    model = tmp_path / "c.tcp"
    model.write_text("model m\nconst K = 1\nendpoint a { states A initial A }\n"
                     "endpoint b { states B initial B }\n")
    for argv, words in [
        (["check", str(model), "--set", "K=yes"], "constant K takes a number"),
        (["check", str(tmp_path / ("a" * 300 + ".tcp"))], "cannot read"),
        (["check", str(model), "--timeout", "nan"], "positive number of seconds"),
    ]:
        code, out, err = run(*argv)
        assert code == 2 and words in err and "Traceback" not in err


def test_an_expression_too_deep_to_compile_is_exit_2(tmp_path):
    model = tmp_path / "deep.tcp"
    model.write_text("model m\nendpoint a { states A initial A var x : 0..3 }\n"
                     "endpoint b { states B initial B }\nproperty p: always "
                     + " and ".join(["a.x == 0"] * 210) + "\n")
    code, _, err = run("check", str(model))
    assert code == 2 and "nested too deeply" in err
