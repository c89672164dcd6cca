"""``tcpcheck scan``'s analysis (tcpcheck/analyses/scan.py): probes delivered by the model's own recv
transitions, foreign and own numbers, the descriptions of the reply's numbers, several
replies in one state, and nmap's conclusions.  Exact tables for tiny models and for the
shipped handshake and teardown models (explored with one segment per direction and no
duplication, which reaches every control state they have)."""

from __future__ import annotations

import textwrap

import pytest

from tcpcheck.diagnostics import UsageError
from tcpcheck.loader import load_file, load_string
from tcpcheck.model.ir import Flag as F
from tcpcheck.analyses.scan import (CLOSED, FILTERED, OPEN, OPEN_FILTERED, PROBES, UNFILTERED,
                           conclusion, scan, scan_endpoints)

from tests.conftest import MODELS, ROOT

PORT = ROOT / "tests" / "scan" / "models" / "port.tcp"
SMALL = {"channel.capacity": 1, "channel.duplication": 0}


def table(result) -> dict:
    """state -> probe -> (replies in RFC notation with the state after, conclusions, depends)."""
    out = {}
    for row in result.rows:
        if not row.reached:
            out[row.state] = None
            continue
        out[row.state] = {c.probe: (tuple(_reply(r, row.state) for r in c.replies),
                                    c.conclusions, c.depends) for c in row.cells}
    return out


def _reply(r, state) -> str:
    moved = [a for a in r.after if a != state]
    return r.rfc() + (" -> " + "|".join(r.after) if moved else "")


def own(result, state, probe) -> tuple:
    row = next(r for r in result.rows if r.state == state)
    cell = next(c for c in row.cells if c.probe == probe)
    return tuple(_reply(r, state) for r in cell.own)


def tiny(body: str, server: str, *, head: str = "bounds { seqspace = 4 }"):
    text = textwrap.dedent(f"""
        model tiny
        {head}
        endpoint client {{
          states IDLE, DONE
          initial IDLE
          terminal IDLE, DONE
        {textwrap.indent(textwrap.dedent(body), '  ')}
        }}
        endpoint server {{
        {textwrap.indent(textwrap.dedent(server), '  ')}
        }}
    """)
    return load_string(text, "tiny.tcp")


# ---- nmap's rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("probe, flags, expected", [
    ("SYN", (F.SYN | F.ACK,), OPEN), ("SYN", (F.SYN,), OPEN), ("SYN", (F.RST,), CLOSED),
    ("SYN", (F.RST | F.ACK,), CLOSED), ("SYN", (), FILTERED), ("SYN", (F.ACK,), FILTERED),
    ("ACK", (F.RST,), UNFILTERED), ("ACK", (F.RST | F.ACK,), UNFILTERED), ("ACK", (), FILTERED),
    ("ACK", (F.ACK,), FILTERED), ("ACK", (F.SYN | F.ACK,), FILTERED),
    ("FIN", (F.RST | F.ACK,), CLOSED), ("FIN", (), OPEN_FILTERED), ("FIN", (F.ACK,), OPEN_FILTERED),
    ("NULL", (F.RST,), CLOSED), ("NULL", (), OPEN_FILTERED),
    ("Xmas", (F.RST | F.ACK,), CLOSED), ("Xmas", (), OPEN_FILTERED),
    ("Xmas", (F.ACK,), OPEN_FILTERED),
])
def test_nmap_conclusions(probe, flags, expected):
    assert conclusion(probe, tuple(int(f) for f in flags)) == expected


def test_probes_are_nmaps():
    assert [(p.name, p.flags) for p in PROBES] == [
        ("SYN", F.SYN), ("ACK", F.ACK), ("FIN", F.FIN), ("NULL", 0),
        ("Xmas", F.FIN | F.PSH | F.URG)]


# ---- a tiny port: exact table ------------------------------------------------------------------

def test_port_table():
    result = scan(load_file(PORT))
    assert result.endpoint == "server" and result.complete and result.states == 34
    s1, closed, rst, none = "SEG.SEQ+1", (CLOSED,), (UNFILTERED,), (OPEN_FILTERED,)
    ack = ("<SEQ=3><ACK=rcv_nxt><CTL=ACK>",)
    assert table(result) == {
        "CLOSED": {
            "SYN": ((f"<SEQ=0><ACK={s1}><CTL=RST,ACK>",), closed, False),
            "ACK": (("<SEQ=SEG.ACK><CTL=RST>",), rst, False),
            "FIN": ((f"<SEQ=0><ACK={s1}><CTL=RST,ACK>",), closed, False),
            "NULL": (("<SEQ=0><ACK=SEG.SEQ><CTL=RST,ACK>",), closed, False),
            "Xmas": ((f"<SEQ=0><ACK={s1}><CTL=RST,ACK>",), closed, False)},
        "LISTEN": {
            "SYN": ((f"<SEQ=2><ACK={s1}><CTL=SYN,ACK> -> SYN_RECEIVED",), (OPEN,), False),
            "ACK": (("<SEQ=SEG.ACK><CTL=RST>",), rst, False),
            "FIN": (("none",), none, False),
            "NULL": (("none",), none, False),
            "Xmas": (("none",), none, False)},
        "SYN_RECEIVED": {
            "SYN": (ack, (FILTERED,), True),
            "ACK": (ack, (FILTERED,), True),
            "FIN": (ack, none, True),
            "NULL": (ack, none, True),
            "Xmas": (ack, none, True)},
        "UNUSED": None,
    }
    # the connection's own numbers: SEG.SEQ = RCV.NXT is acceptable and nothing takes it
    assert own(result, "SYN_RECEIVED", "NULL") == ("none", ack[0])
    rows = {r.state: r for r in result.rows}
    assert (rows["SYN_RECEIVED"].global_states, rows["SYN_RECEIVED"].valuations) == (8, 4)
    assert (rows["CLOSED"].global_states, rows["CLOSED"].valuations) == (13, 1)


def test_replies_name_their_transitions_and_discards():
    result = scan(load_file(PORT))
    rows = {r.state: {c.probe: c for c in r.cells} for r in result.rows if r.reached}
    assert rows["CLOSED"]["ACK"].replies[0].transitions == ("closed_ack_rst",)
    assert rows["LISTEN"]["FIN"].replies[0].transitions == (None,)
    assert rows["LISTEN"]["SYN"].replies[0].after == ("SYN_RECEIVED",)
    # every foreign (seq, ack) pair of the single CLOSED valuation (iss = rcv_nxt = 0)
    assert rows["CLOSED"]["ACK"].replies[0].deliveries == 9
    assert rows["CLOSED"]["SYN"].replies[0].deliveries == 3


def test_other_endpoint_and_unknown_endpoint():
    model = load_file(PORT)
    client = scan(model, "client")
    assert client.endpoint == "client"
    idle = table(client)["IDLE"]
    assert all(v == (("none",), (FILTERED,) if p in ("SYN", "ACK") else (OPEN_FILTERED,), False)
               for p, v in idle.items())
    with pytest.raises(UsageError, match="no endpoint 'sever'.*server"):
        scan(model, "sever")


# ---- several replies in one control state ------------------------------------------------------

def test_valuations_that_reply_differently():
    model = tiny("", """
        states OPEN
        initial OPEN
        terminal OPEN
        var armed : bool
        transition arm: OPEN -> same on open when not armed { armed := true }
        transition rst: OPEN -> same on recv ACK ... when armed { send RST(seq=seg.ack) }
    """)
    result = scan(model)
    assert table(result)["OPEN"]["ACK"] == (("none", "<SEQ=SEG.ACK><CTL=RST>"),
                                          (FILTERED, UNFILTERED), False)
    row = result.rows[0]
    assert (row.global_states, row.valuations) == (2, 2)
    from tcpcheck.render.scan import flags_cell
    assert flags_cell(row.cells[1]) == ["none", "RST"]


def test_a_ghost_variable_is_not_a_valuation_and_ghost_fields_take_the_lowest_value():
    model = tiny("", """
        states OPEN
        initial OPEN
        terminal OPEN
        ghost var g : 0..1
        transition flip: OPEN -> same on open when true { g := 1 - g }
        transition rst: OPEN -> same on recv ACK ...
        { send RST(seq=seg.ack, tag=seg.tag + 1)  g := seg.tag - 2 }
    """, head="bounds { seqspace = 4 }\nsegment { ghost tag : 2..3 }")
    result = scan(model)
    row = result.rows[0]
    assert (row.global_states, row.valuations) == (2, 1)
    assert table(result)["OPEN"]["ACK"][0] == ("<SEQ=SEG.ACK><CTL=RST>",)
    assert row.cells[1].errors == ()  # tag = 2 (its lowest value): tag + 1 = 3 fits


def test_a_choice_in_the_reply_is_named_by_the_variable_after_it():
    model = tiny("", """
        states LISTEN, SYN_RECEIVED
        initial LISTEN
        terminal LISTEN
        var iss : seq
        var rcv_nxt : seq
        transition syn: LISTEN -> SYN_RECEIVED on recv SYN
        { choose iss  rcv_nxt := seg.seq + 1  send SYN+ACK(seq=iss, ack=rcv_nxt) }
    """)
    cell = scan(model).rows[0].cells[0]
    assert [r.rfc() for r in cell.replies] == ["<SEQ=iss><ACK=SEG.SEQ+1><CTL=SYN,ACK>"]
    assert cell.conclusions == (OPEN,)


def test_numbers_relative_to_the_probe_and_to_variables():
    model = tiny("", """
        states S
        initial S
        terminal S
        var a : seq
        var b : seq
        transition pick: S -> same on open { choose a  b := a + 1 }
        transition odd: S -> same on recv ACK ... { send RST+ACK(seq=seg.ack - 1, ack=b) }
        transition fin: S -> same on recv FIN ... { send ACK(seq=a + 2, ack=seg.seq + 3) }
    """, head="bounds { seqspace = 8 }")
    cells = {c.probe: c for c in scan(model).rows[0].cells}
    assert [r.rfc() for r in cells["ACK"].replies] == ["<SEQ=SEG.ACK-1><ACK=b><CTL=RST,ACK>"]
    assert [r.rfc() for r in cells["FIN"].replies] == ["<SEQ=a+2><ACK=SEG.SEQ+3><CTL=ACK>"]
    assert cells["Xmas"].replies[0].rfc() == "<SEQ=a+2><ACK=SEG.SEQ+3><CTL=ACK>"


def test_no_foreign_number():
    model = tiny("", """
        states S
        initial S
        terminal S
        var a : seq
        var b : seq = 1
        transition rst: S -> same on recv -RST ... { send RST(seq=seg.seq) }
    """, head="bounds { seqspace = 2 }")
    row = scan(model).rows[0]
    cell = row.cells[0]
    assert cell.replies == () and cell.foreign_valuations == 0
    assert [r.rfc() for r in cell.own] == ["<SEQ=SEG.SEQ><CTL=RST>"]
    from tcpcheck.render.scan import conclusions_cell, flags_cell
    assert flags_cell(cell) == ["RST !"] and conclusions_cell(cell) == [CLOSED]


def test_a_failing_reply_is_reported():
    model = tiny("", """
        states S
        initial S
        terminal S
        var n : 0..0
        transition count: S -> same on recv SYN { n := n + 1 }
    """)
    cell = scan(model).rows[0].cells[0]
    assert cell.replies == () and len(cell.errors) == 1
    assert cell.errors[0].startswith("count: ") and "outside its domain" in cell.errors[0]


def test_state_limit():
    result = scan(load_file(PORT), max_states=8)
    assert not result.complete and result.stop_reason == "max-states" and result.states == 8
    assert [r.state for r in result.rows if r.reached] == ["CLOSED", "LISTEN"]


def test_one_exploration_for_both_endpoints():
    client, server = scan_endpoints(load_file(PORT), ["client", "server"])
    assert (client.endpoint, server.endpoint) == ("client", "server")
    assert client.states == server.states == 34


# ---- the shipped models ------------------------------------------------------------------------

ACK_REPLY = "<SEQ=snd_nxt><ACK=rcv_nxt><CTL=ACK>"
RST_SEG_ACK = "<SEQ=SEG.ACK><CTL=RST>"


def synchronized(syn_depends=False) -> dict:
    """Every probe of an off-path scanner gets the first check's ACK (3.10.7.4)."""
    return {"SYN": ((ACK_REPLY,), (FILTERED,), syn_depends),
            "ACK": ((ACK_REPLY,), (FILTERED,), True),
            "FIN": ((ACK_REPLY,), (OPEN_FILTERED,), True),
            "NULL": ((ACK_REPLY,), (OPEN_FILTERED,), True),
            "Xmas": ((ACK_REPLY,), (OPEN_FILTERED,), True)}


def test_three_way_handshake_server():
    result = scan(load_file(MODELS / "three_way_handshake.tcp", SMALL))
    assert result.complete
    none = (("none",), (OPEN_FILTERED,), False)
    assert table(result) == {
        "LISTEN": {"SYN": (("<SEQ=iss><ACK=SEG.SEQ+1><CTL=SYN,ACK> -> SYN_RECEIVED",), (OPEN,),
                           False),
                   "ACK": ((RST_SEG_ACK,), (UNFILTERED,), False),
                   "FIN": none, "NULL": none, "Xmas": none},
        "SYN_RECEIVED": synchronized(syn_depends=True),
        "ESTABLISHED": synchronized(),
    }
    # in-window SYN in a passive SYN-RECEIVED: back to LISTEN (3.10.7.4, fourth check)
    assert own(result, "SYN_RECEIVED", "SYN") == (ACK_REPLY, "none -> LISTEN")


def test_three_way_handshake_client():
    """The handshake model's CLOSED does not count a FIN in SEG.LEN and its SYN-SENT has no
    simultaneous open (the server never sends those segments there): the scan shows it."""
    result = scan(load_file(MODELS / "three_way_handshake.tcp", SMALL), "client")
    t = table(result)
    assert t["CLOSED"]["FIN"] == (("<SEQ=0><ACK=SEG.SEQ><CTL=RST,ACK>",), (CLOSED,), False)
    assert t["CLOSED"]["SYN"] == (("<SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>",), (CLOSED,), False)
    assert t["SYN_SENT"]["SYN"] == (("none",), (FILTERED,), False)
    assert t["SYN_SENT"]["ACK"] == ((RST_SEG_ACK,), (UNFILTERED,), True)
    assert t["ESTABLISHED"] == synchronized()


def test_teardown_time_wait_client():
    result = scan(load_file(MODELS / "teardown_time_wait.tcp", SMALL), "client")
    assert result.complete and all(r.reached for r in result.rows)
    t = table(result)
    s1 = "<SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>"
    assert t["CLOSED"] == {"SYN": ((s1,), (CLOSED,), False),
                           "ACK": ((RST_SEG_ACK,), (UNFILTERED,), False),
                           "FIN": ((s1,), (CLOSED,), False),
                           "NULL": (("<SEQ=0><ACK=SEG.SEQ><CTL=RST,ACK>",), (CLOSED,), False),
                           "Xmas": ((s1,), (CLOSED,), False)}
    for state in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "CLOSE_WAIT", "LAST_ACK"):
        assert t[state] == synchronized(), state
    # TIME-WAIT: a FIN without ACK one before RCV.NXT is excluded from tw_unacceptable (kept for
    # the retransmitted FIN, which has ACK) and taken by nothing: silence for that number
    assert t["TIME_WAIT"]["FIN"] == (("none", ACK_REPLY), (OPEN_FILTERED,), False)
    assert t["TIME_WAIT"]["Xmas"] == (("none", ACK_REPLY), (OPEN_FILTERED,), False)
