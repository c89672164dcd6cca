"""Matching each received, lost or expired segment to the send it came from."""

from __future__ import annotations

from render.render_support import eventful_trace, two_way_trace

from tcpcheck.render.journeys import (ARRIVED, DISCARDED, DROPPED, EXPIRED, IN_FLIGHT, LOST,
                                      by_step, journeys)


def test_the_stale_syn_is_sent_at_1_and_arrives_at_3():
    syn, synack = journeys(two_way_trace())
    assert (syn.segment.flags, syn.sent, syn.end, syn.fate) == ("SYN", 1, 3, ARRIVED)
    assert (synack.segment.flags, synack.sent, synack.fate) == ("SYN+ACK", 3, IN_FLIGHT)


def test_every_fate_of_the_eventful_run():
    fates = [(j.segment.flags, j.sent, j.end, j.fate, j.copy_made)
             for j in journeys(eventful_trace())]
    assert fates == [
        ("SYN", 1, 3, LOST, None),  # the original goes first ...
        ("SYN", 1, 7, ARRIVED, 2),  # ... so the late one is the channel's copy
        ("SYN", 5, 9, EXPIRED, None),  # told from the copy by its age
        ("SYN+ACK", 7, 8, DISCARDED, None),
        ("SYN+ACK", 10, 10, DROPPED, None),
        ("SYN", 11, None, IN_FLIGHT, None),
    ]


def test_by_step_puts_each_journey_where_it_is_drawn():
    table = by_step(eventful_trace())
    assert len(table) == 12
    assert [j.sent for j in table[7].arrived] == [1] and table[7].arrived[0].is_copy
    assert [j.fate for j in table[3].lost] == [LOST]
    assert [j.copy_made for j in table[2].copied] == [2]
    assert table[1].sent and not table[2].sent  # a copy is not a second send
    assert [j.fate for j in table[10].dropped] == [DROPPED]
    assert [j.fate for j in table[9].expired] == [EXPIRED]
