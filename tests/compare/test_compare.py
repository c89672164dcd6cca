"""``tcpcheck compare``: the variant matrix (tcpcheck/analyses/compare.py), its renderings
(tcpcheck/render/matrix.py) and the command's exit codes.

The handshake models are checked with one segment in flight per direction and no
duplication (SMALL): the verdicts and run lengths are those of the shipped bounds
(models/manifest.json) and the three-way model is decided in about a second instead of a
minute.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import textwrap

import pytest

from tcpcheck.cli import main
from tcpcheck.analyses.compare import UNREPORTED, Cell, build_matrix, compare
from tcpcheck.diagnostics import UsageError
from tcpcheck.loader import load_file, load_string
from tcpcheck.render import matrix as render_matrix

from tests.conftest import MODELS

SMALL = {"channel.capacity": 1, "channel.duplication": 0}
SMALL_ARGS = ["--set", "channel.capacity=1", "--set", "channel.duplication=0"]
TWO = str(MODELS / "two_way_handshake.tcp")
THREE = str(MODELS / "three_way_handshake.tcp")

# A model with one reachable goal and none of the handshake models' properties.
TINY = textwrap.dedent("""
    model tiny
    endpoint a {
      states IDLE, DONE
      initial IDLE
      terminal DONE
      transition go: IDLE -> DONE on open
    }
    endpoint b { states Z initial Z terminal Z }
    property done: reachable a.state == DONE
    property handshake_completes: reachable a.state == DONE
""").lstrip("\n")


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["compare", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def handshakes():
    models = [load_file(TWO, SMALL), load_file(THREE, SMALL)]
    return compare(models)


@pytest.fixture(scope="module")
def tiny_and_two():
    return compare([load_string(TINY, "tiny.tcp"), load_file(TWO, SMALL)])


# ---- the analysis ----------------------------------------------------------------------------

def test_handshake_cells(handshakes):
    m = handshakes
    assert m.models == ("two_way_handshake", "three_way_handshake")
    assert m.cell("no_stale_accept", "two_way_handshake") == Cell("violated", "step", 3, None)
    assert m.cell("no_stale_accept", "three_way_handshake").status == "holds"
    assert m.cell("no_stale_accept", "three_way_handshake").length is None
    assert m.cell("handshake_completes", "two_way_handshake").length == 3
    assert m.cell("handshake_completes", "three_way_handshake").length == 4
    assert m.cell("handshake_completes", "three_way_handshake").status == "reached"
    assert m.cell("old_syn_recovery", "three_way_handshake") == Cell("reached", "reachable", 3)
    assert not m.cell("old_syn_recovery", "two_way_handshake").applicable
    assert m.exit_code == 1


def test_rows_are_the_union_in_first_seen_order(handshakes):
    props = handshakes.properties
    assert props[:3] == ("no_stale_accept", "handshake_completes", "old_syn_recovery")
    assert len(props) == len(set(props))
    assert "tags_not_from_the_future" not in props  # lemmas only when named with --property


def test_builtin_domains_left_unreported_is_not_verified_not_absent(handshakes):
    # two_way stops once its properties are decided, so the checker says nothing of domains;
    # that is "not verified", not "the model has no such property".
    cell = handshakes.cell("domains", "two_way_handshake")
    assert cell.status == "not_verified" and cell.applicable
    assert handshakes.cell("domains", "three_way_handshake").status == "holds"


def test_absent_property_is_a_dash(tiny_and_two):
    m = tiny_and_two
    assert m.properties[:2] == ("done", "handshake_completes")
    assert m.cell("done", "tiny") == Cell("reached", "reachable", 1)
    assert not m.cell("done", "two_way_handshake").applicable
    assert not m.cell("no_stale_accept", "tiny").applicable
    assert m.cell("handshake_completes", "tiny").status == "reached"
    row = render_matrix.table(m)[1]
    assert row == ["done", "reached (1)", "-"]


def test_selected_properties_only_in_given_order():
    models = [load_string(TINY, "tiny.tcp"), load_file(TWO, SMALL)]
    m = compare(models, ["handshake_completes", "done", "done"])
    assert m.properties == ("handshake_completes", "done")
    assert m.cell("done", "two_way_handshake") == Cell(None)


def test_model_with_none_of_the_selected_properties_is_not_checked():
    m = compare([load_string(TINY, "tiny.tcp"), load_file(TWO, SMALL)], ["no_stale_accept"])
    assert m.columns[0].checked is False and m.columns[0].states == 0
    assert m.cell("no_stale_accept", "tiny") == Cell(None)
    assert render_matrix.table(m)[-1][1] == "not checked"
    assert m.exit_code == 1


def test_a_limit_gives_not_verified_never_holds():
    m = compare([load_file(THREE, SMALL)], ["no_stale_accept"], max_states=50)
    cell = m.cell("no_stale_accept", "three_way_handshake")
    assert cell.status == "not_verified" and cell.detail
    assert m.columns[0].stop_reason == "max-states"
    assert m.exit_code == 3
    assert render_matrix.cell_text(cell) == "not verified"
    assert "(stopped: max-states)" in render_matrix.table(m)[-1][1]


def test_unknown_property_in_every_model_suggests_a_name():
    with pytest.raises(UsageError, match="did you mean 'no_stale_accept'"):
        compare([load_file(TWO, SMALL)], ["no_stale_acept"])


def test_duplicate_model_names_are_refused():
    with pytest.raises(UsageError, match="two_way_handshake"):
        compare([load_file(TWO, SMALL), load_file(TWO)])


def test_build_matrix_exit_codes_from_cells():
    model = load_string(TINY, "tiny.tcp")
    assert build_matrix([model], [None]).exit_code == 0  # no rows: nothing failed
    # a model that has the property but whose result does not mention it: not decided
    unreported = build_matrix([model], [None], ["done"])
    assert unreported.rows == ((Cell("not_verified", detail=UNREPORTED),),)
    assert unreported.exit_code == 3


# ---- rendering -------------------------------------------------------------------------------

def test_text_columns_line_up(handshakes):
    lines = render_matrix.text(handshakes).splitlines()
    assert len(lines) == 1 + len(handshakes.properties) + 1
    assert lines[0].split() == ["property", "two_way_handshake", "three_way_handshake"]
    start = lines[0].index("three_way_handshake")
    for line in lines[1:-1]:  # every verdict of the second column starts under its header
        assert line[start - 2:start] == "  " and line[start] != " "
    assert re.match(r"no_stale_accept +violated \(3\) +holds$", lines[1])
    assert re.match(r"explored +29 states, \d+\.\d\d s +[\d,]+ states, \d+\.\d\d s$", lines[-1])
    assert lines[4].startswith("domains")


def test_markdown_table(handshakes):
    lines = render_matrix.markdown(handshakes).splitlines()
    assert lines[0] == "| property | two_way_handshake | three_way_handshake |"
    assert lines[1] == "|---|---|---|"
    assert lines[2] == "| no_stale_accept | violated (3) | holds |"
    assert lines[3] == "| handshake_completes | reached (3) | reached (4) |"
    assert lines[4] == "| old_syn_recovery | - | reached (3) |"
    assert len(lines) == 2 + len(handshakes.properties) + 1
    assert lines[-1].startswith("| *explored* | *29 states, ")
    assert all(line.count("|") == 4 for line in lines)


def test_json_structure(handshakes):
    data = json.loads(json.dumps(render_matrix.matrix_json(handshakes)))
    assert data["models"] == ["two_way_handshake", "three_way_handshake"]
    assert data["properties"] == list(handshakes.properties)
    assert set(data["cells"]) == set(handshakes.properties)
    stale = data["cells"]["no_stale_accept"]
    assert stale["two_way_handshake"] == {"status": "violated", "kind": "step", "length": 3,
                                          "detail": None, "channel_full_states": 0}
    assert stale["three_way_handshake"]["status"] == "holds"
    assert data["cells"]["old_syn_recovery"]["two_way_handshake"] is None
    assert data["stats"]["two_way_handshake"]["states"] == 29
    assert data["stats"]["three_way_handshake"]["complete"] is True
    assert data["exit_code"] == 1


def test_rendering_is_deterministic_apart_from_seconds(handshakes):
    again = compare([load_file(TWO, SMALL), load_file(THREE, SMALL)])
    strip = lambda s: re.sub(r"\d+\.\d\d s", "T", s)  # noqa: E731
    assert strip(render_matrix.text(again)) == strip(render_matrix.text(handshakes))
    assert again.rows == handshakes.rows and again.properties == handshakes.properties


# ---- the command -----------------------------------------------------------------------------

def test_cli_violated_exit_1():
    code, out, err = run_cli(TWO, THREE, *SMALL_ARGS, "-p", "no_stale_accept")
    assert code == 1, err
    assert re.search(r"no_stale_accept +violated \(3\) +holds", out)


def test_cli_all_decided_exit_0():
    code, out, _ = run_cli(TWO, THREE, *SMALL_ARGS, "-p", "handshake_completes",
                           "--format", "markdown")
    assert code == 0
    assert "| handshake_completes | reached (3) | reached (4) |" in out


def test_cli_limit_exit_3():
    code, out, _ = run_cli(THREE, "-p", "no_stale_accept", "--max-states", "50",
                           "--format", "json")
    assert code == 3
    data = json.loads(out)
    assert data["cells"]["no_stale_accept"]["three_way_handshake"]["status"] == "not_verified"
    assert data["exit_code"] == 3


@pytest.mark.parametrize("argv, needle", [
    (["missing.tcp"], "no such model file"),
    ([TWO, "-p", "no_stale_acept"], "did you mean 'no_stale_accept'"),
    ([TWO, TWO], "both model 'two_way_handshake'"),
    ([TWO, "--format", "html"], "invalid choice"),
    ([TWO, "--max-states", "0"], "positive"),
])
def test_cli_bad_input_exit_2(argv, needle):
    code, out, err = run_cli(*argv)
    assert code == 2
    assert needle in err
    assert out == ""


FAMILIES = ["models/syn_backlog.tcp", "models/variants/syn_flood.tcp",
            "models/variants/syn_cookies.tcp", "models/spoofing.tcp",
            "models/variants/predictable_isn.tcp", "models/variants/unpredictable_isn.tcp",
            "models/offpath_reset.tcp", "models/variants/blind_reset.tcp",
            "models/variants/rfc5961.tcp"]


def test_the_variant_families_matrix_of_the_readme():
    """The README's second matrix, every cell (the last row, states and seconds, aside):
    the SYN-flood, ISN-prediction and blind-reset families, each base beside its variants."""
    code, out, _ = run_cli(*[str(MODELS.parent / f) for f in FAMILIES], "--format", "markdown")
    assert code == 1  # violations in the matrix
    table = out.strip().splitlines()
    assert table[-1].startswith("| *explored* |")
    golden = (MODELS.parent / "tests" / "compare" / "golden" / "variant_families.md")
    assert "\n".join(table[:-1]) + "\n" == golden.read_text()


@pytest.mark.skipif(not shutil.which("cc"), reason="the native engine needs cc")
def test_the_engines_give_the_same_matrix():
    # compare uses the native engine where it can (auto): the matrix is the reference's
    models = [load_file(MODELS / name) for name in
              ("two_way_handshake.tcp", "time_wait_every_msl.tcp", "handshake_liveness.tcp")]
    by_engine = {engine: compare(models, engine=engine) for engine in ("auto", "native", "python")}
    untimed = lambda matrix: [(c.name, c.states, c.transitions, c.complete, c.stop_reason)
                              for c in matrix.columns]
    for engine in ("auto", "native"):  # liveness included: the native engine checks it too
        assert by_engine[engine].rows == by_engine["python"].rows
        assert untimed(by_engine[engine]) == untimed(by_engine["python"])
