"""The interactive report: one self-contained HTML page of a check's verdicts and runs.

:func:`report` writes the model's name and doc, the verdict of each property, and for each
counterexample or witness: its sequence chart, a slider with buttons (and the left/right
arrow keys) to move through it, both endpoints' control state, variables and timers and the
channel's contents at the current step, with what changed highlighted, the step's
description, and the explanation sentences when given.  Everything is inline (CSS, script,
SVG) and the data is embedded as JSON in a ``<script type="application/json">``, so the page
needs no server and makes no network request.

:func:`result_html` is the static summary Jupyter shows for a CheckResult (no script:
notebooks may not run it).

Pure functions from records to text: nothing here explores.  The sequence charts come from
``tcpcheck.render.svg`` when that module is installed, else from :func:`sequence_chart`.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re

from tcpcheck.render.lang import TABLES
from tcpcheck.model import ir
from tcpcheck.render import json as render_json
from tcpcheck.render import steps as render_steps
from tcpcheck.render import text as render_text
from tcpcheck.result import NOT_VERIFIED, STOP_DETAILS, CheckResult, PropertyResult
from tcpcheck.trace.records import SegmentView, Trace

DATA_ELEMENT_ID = "tcpcheck-data"
STOP_REASONS = {detail: reason for reason, detail in STOP_DETAILS.items()}
# the labels the page's script writes, from the same table (sent in the embedded data)
SCRIPT_LABELS = ("report_position", "report_loop", "report_in_flight", "report_nothing",
                 "report_faults", "report_state", "report_incarnation", "report_timer",
                 "report_off")


class Labels:
    """The page's words in one language: the table of the explanations
    (tcpcheck/render/lang.py), so the report and ``explain`` say things alike."""

    def __init__(self, lang: str = "en"):
        self.lang = lang
        self.table = TABLES[lang]

    def t(self, key: str, **fields) -> str:
        return self.table[key].format(**fields)

    def count(self, key: str, n: int, **fields) -> str:
        """``key`` for one, ``key_many`` for more, with ``{count}`` the number."""
        return self.t(key if n == 1 else key + "_many", count=f"{n:,}", **fields)

    def script(self) -> dict:
        return {key.removeprefix("report_"): self.table[key] for key in SCRIPT_LABELS}


# ---- the page -------------------------------------------------------------------------------

def report(model: ir.Model, check_result: CheckResult, *, explanations: dict | None = None,
           charts: dict | None = None, lang: str = "en",
           descriptions: dict | None = None) -> str:
    """The whole HTML page.  ``explanations`` maps a property name to its sentences;
    ``charts`` a property name to the SVG of its run (by default drawn here); ``lang`` is
    the language of the page's own words (buttons, headings, verdicts); ``descriptions``
    maps a property name to one sentence per step of its run (by default each step's
    summary, in English)."""
    words = Labels(lang)
    explanations = {k: list(v) for k, v in (explanations or {}).items()}
    descriptions = {k: list(v) for k, v in (descriptions or {}).items()}
    charts = charts if charts is not None else sequence_charts(check_result, lang)
    data = {"model": {"name": model.name, "file": model.file, "doc": model.doc},
            "result": render_json.check_result(check_result, model),
            "explanations": explanations, "lang": lang, "labels": words.script(),
            "descriptions": descriptions}
    body = [_header(model, check_result, words),
            _verdict_table(check_result.properties, words)]
    body += [_trace_section(p, explanations.get(p.name, ()), charts.get(p.name), words)
             for p in _with_trace(check_result)]
    return PAGE.format(lang=lang, title=html.escape(f"tcpcheck: {model.name}"), style=STYLE,
                       body="\n".join(body), data_id=DATA_ELEMENT_ID,
                       data=embedded_json(data), script=SCRIPT)


def embedded_json(data) -> str:
    """JSON safe inside ``<script>``: no ``<`` at all, so no ``</script>`` or ``<!--``."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _with_trace(result: CheckResult) -> list:
    return [p for p in result.properties if p.trace is not None]


def _header(model: ir.Model, result: CheckResult, words: Labels) -> str:
    parts = [f"<header><h1>{_e(words.t('report_model', name=model.name))}</h1>",
             f'<p class="file">{_e(model.file)}</p>']
    if model.doc:  # model text: as written
        parts.append(f'<pre class="model-doc">{_e(model.doc.strip())}</pre>')
    parts.append(f'<p class="stats">{_e(stats_text(result, words))}</p>')
    if not result.complete:
        parts.append(f'<p class="note">{_e(_incomplete(result, words))}</p>')
    parts += [f'<p class="warning">{_e(words.t("report_warning", text=w))}</p>'
              for w in result.warnings]
    return "\n".join(parts) + "</header>"


def stats_text(result: CheckResult, words: Labels) -> str:
    """The statistics line (in English, the text output's :func:`stats_line`)."""
    s = result.stats
    figure = render_text.per_state_figure(s)  # shown when the text output shows it
    per_state = "" if figure is None else words.t("report_per_state", bytes=f"{figure:,.0f}")
    return words.t("report_stats", states=words.count("report_states", s.states),
                   transitions=words.count("report_transitions", s.transitions),
                   diameter=s.diameter, seconds=f"{s.seconds:.2f}",
                   rate=f"{s.states_per_second:,.0f}", memory=f"{s.peak_memory_mb:.0f}",
                   per_state=per_state)


def _incomplete(result: CheckResult, words: Labels) -> str:
    if result.stop_reason == "decided":
        return words.t("report_stopped_decided")
    key = f"stop_{result.stop_reason}"
    reason = words.t(key if key in words.table else "stop_other")
    note = words.t("report_stopped", reason=reason)
    undecided = [p.name for p in result.properties if p.status == NOT_VERIFIED]
    if undecided:
        note += words.t("report_undecided", names=", ".join(undecided))
    return note


def status_text(p: PropertyResult, words: Labels) -> str:
    """The verdict in words (in English, the text output's :func:`status_text`)."""
    key = f"status_{p.status}"
    status = words.t(key) if key in words.table else p.status
    if p.channel_full and p.status in ("holds", "unreachable"):
        status = words.count("status_within", p.channel_full, status=status)
    return status


def _verdict_table(properties: tuple, words: Labels, *, links: bool = True) -> str:
    """A row per property; with ``links`` each run's cell links to its section below."""
    heads = "".join(f"<th>{_e(words.t(k))}</th>" for k in
                    ("report_property", "report_kind", "report_verdict", "report_run"))
    rows = [f'<table class="verdicts"><thead><tr>{heads}</tr></thead><tbody>']
    for p in properties:
        rows.append(f'<tr data-property="{_e(p.name)}"><td>{_e(render_text.property_label(p))}'
                    f'</td><td>{_e(_kind(p, words))}</td>'
                    f'<td class="status status-{_e(p.status)}">{_e(status_text(p, words))}</td>'
                    f"<td>{_run_cell(p, links, words)}</td></tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _kind(p: PropertyResult, words: Labels) -> str:
    key = f"kind_{p.kind}"
    return words.t(key) if key in words.table else p.kind


def _run_cell(p: PropertyResult, link: bool, words: Labels) -> str:
    if p.trace is None:
        return _e(_detail(p, words))
    n = len(p.trace)
    text = _e(words.t("report_run_cell", what=words.t(f"report_{_run_word(p)}"),
                      steps=words.count("report_steps", n)))
    return f'<a href="#{_section_id(p.name)}">{text}</a>' if link else text


def _detail(p: PropertyResult, words: Labels) -> str:
    """A verdict's detail: as the checker wrote it in English; in another language, why it
    is not verified (the detail's reason, said in that language), else nothing."""
    if words.lang == "en":
        return p.detail or ""
    if p.status != NOT_VERIFIED:
        return ""
    if p.channel_full:
        return words.t("detail_edge")
    return words.t(f"stop_{STOP_REASONS[p.detail]}" if p.detail in STOP_REASONS
                   else "stop_other")


def _run_word(p: PropertyResult) -> str:
    return "witness" if p.status == "reached" else "counterexample"


def _section_id(name: str) -> str:
    return "trace-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _trace_section(p: PropertyResult, sentences, chart: str | None, words: Labels) -> str:
    n = len(p.trace)
    parts = [f'<section class="trace" id="{_section_id(p.name)}" data-property="{_e(p.name)}">',
             f"<h2>{_e(words.t(f'report_section_{_run_word(p)}', name=p.name))}</h2>"]
    if p.doc:
        parts.append(f'<p class="property-doc">{_e(p.doc)}</p>')
    if _detail(p, words):  # the checker's English detail; the explanation says it otherwise
        parts.append(f'<p class="detail">{_e(_detail(p, words))}</p>')
    if sentences:
        parts.append('<ul class="explanation">' + "".join(f"<li>{_e(s)}</li>" for s in sentences)
                     + "</ul>")
    buttons = {k: _e(words.t(f"report_{k}")) for k in (
        "first", "first_title", "prev", "prev_title", "next", "next_title", "last_title",
        "slider")}
    parts.append(CONTROLS.format(last=n, last_button=_e(words.t("report_last")), **buttons))
    parts.append('<p class="description" aria-live="polite"></p>')
    parts.append('<div class="panels"></div>')
    if chart:
        parts.append(f'<div class="chart">{inline_svg(chart)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def inline_svg(svg_text: str) -> str:
    """An SVG document as an element inside HTML: without its XML declaration, doctype and
    comments (which also hold no reference to anything outside the page)."""
    text = re.sub(r"<\?xml[^>]*\?>", "", svg_text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return text.strip()


def _e(text) -> str:
    return html.escape(str(text), quote=True)


# ---- sequence charts ------------------------------------------------------------------------

def sequence_charts(result: CheckResult, lang: str = "en") -> dict:
    """Property name -> SVG of its run, by ``tcpcheck.render.svg`` when installed (its
    words in ``lang``)."""
    draw = _chart_renderer()
    return {p.name: draw(p.trace, lang) for p in _with_trace(result)}


def _chart_renderer():
    if importlib.util.find_spec("tcpcheck.render.svg") is not None:
        from tcpcheck.render import svg

        return lambda trace, lang: svg.svg(trace, lang=lang)
    return lambda trace, lang: sequence_chart(trace)


ROW, TOP, LEFT_X, RIGHT_X, WIDTH = 34, 56, 150, 470, 620


def sequence_chart(trace: Trace, *, title: str | None = None) -> str:
    """A plain sequence chart: the endpoints' lifelines, a row per step (its group is
    ``<g class="step" data-step="N">``) and an arrow per segment from the step that sent it
    to the step that received it (``data-sent``/``data-arrived``)."""
    names = trace.endpoint_names
    x = {names[0]: LEFT_X, names[1]: RIGHT_X}
    height = TOP + ROW * len(trace.steps) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence-chart" width="{WIDTH}" '
           f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" '
           'font-size="11">']
    if title:
        out.append(f'<text x="{WIDTH // 2}" y="14" text-anchor="middle">{_e(title)}</text>')
    for name, lx in x.items():
        out.append(f'<text x="{lx}" y="34" text-anchor="middle" font-weight="bold">'
                   f"{_e(name)}</text>")
        out.append(f'<line class="lifeline" x1="{lx}" y1="40" x2="{lx}" y2="{height - 6}" '
                   'stroke="#999" stroke-dasharray="4 3"/>')
    out += [_chart_step(trace, i, x) for i in range(len(trace.steps))]
    out += [_chart_arrow(sent, arrived, segment, x) for sent, arrived, segment in _flights(trace)]
    out.append("</svg>")
    return "\n".join(out)


def _row_y(index: int) -> int:
    return TOP + ROW * index + ROW // 2


def _chart_step(trace: Trace, index: int, x: dict) -> str:
    step, y = trace.steps[index], _row_y(index)
    parts = [f'<g class="step" data-step="{index}"><title>{_e(step.summary)}</title>',
             f'<rect class="row" x="0" y="{y - ROW // 2}" width="{WIDTH}" height="{ROW}" '
             'fill="transparent"/>',
             f'<text x="8" y="{y + 4}">{index}.</text>']
    before = trace.steps[index - 1].state if index else None
    for view in step.state.endpoints:
        changed = before is None or before.endpoint(view.name).state != view.state
        if changed:
            parts.append(f'<text x="{x[view.name]}" y="{y - 4}" text-anchor="middle" '
                         f'fill="#1f4e79">{_e(view.state)}</text>')
    if step.actor in x:
        parts.append(f'<circle cx="{x[step.actor]}" cy="{y + 6}" r="3" fill="#333"/>')
    elif index:
        parts.append(f'<text x="{(LEFT_X + RIGHT_X) // 2}" y="{y + 10}" text-anchor="middle" '
                     f'fill="#666">{_e(_short(step.summary))}</text>')
    parts.append("</g>")
    return "".join(parts)


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _flights(trace: Trace) -> list:
    """``(sent step, arrival step or None, segment)`` for every segment a step sent: it
    arrived at the first later step that received an equal segment not yet accounted for
    (a duplicate may arrive twice, so a second arrival falls back to the latest send)."""
    sends = [(s.index, seg) for s in trace.steps for seg in s.sent]
    arrival = {}
    for step in trace.steps:
        if step.received is None:
            continue
        same = [k for k, (i, seg) in enumerate(sends)
                if i < step.index and _same_segment(seg, step.received)]
        free = [k for k in same if k not in arrival]
        if free or same:
            arrival.setdefault(free[0] if free else same[-1], step.index)
    return [(i, arrival.get(k), seg) for k, (i, seg) in enumerate(sends)]


def _same_segment(a: SegmentView, b: SegmentView) -> bool:
    return (a.src, a.dst, a.flags, a.seq, a.ack, a.ghosts) == (b.src, b.dst, b.flags, b.seq,
                                                               b.ack, b.ghosts)


def _chart_arrow(sent: int, arrived: int | None, segment: SegmentView, x: dict) -> str:
    if segment.src not in x or segment.dst not in x:
        return ""
    x1, y1 = x[segment.src], _row_y(sent) + 6
    if arrived is None:  # still in flight, lost or expired: half way, ending in a cross
        x2, y2 = (x1 + x[segment.dst]) // 2, y1 + ROW // 2
        end = (f'<path d="M{x2 - 4},{y2 - 4} L{x2 + 4},{y2 + 4} M{x2 - 4},{y2 + 4} '
               f'L{x2 + 4},{y2 - 4}" stroke="#555"/>')
        tag = f'data-sent="{sent}"'
    else:
        x2, y2 = x[segment.dst], _row_y(arrived) + 6
        direction = 1 if x2 > x1 else -1
        end = (f'<polygon points="{x2},{y2} {x2 - 9 * direction},{y2 - 4} '
               f'{x2 - 9 * direction},{y2 + 4}" fill="#555"/>')
        tag = f'data-sent="{sent}" data-arrived="{arrived}"'
    label_x, label_y = (x1 + x2) // 2, (y1 + y2) // 2 - 4
    return (f'<g class="arrow" {tag}><line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'stroke="#555"/>{end}<text x="{label_x}" y="{label_y}" text-anchor="middle" '
            f'fill="#333">{_e(segment.text())}</text></g>')


# ---- Jupyter --------------------------------------------------------------------------------

def result_html(result: CheckResult) -> str:
    """A static HTML summary of ``result`` (verdicts, then each run's chart and steps), for
    the notebook display (tcpcheck.notebook): no script, so it also shows in an untrusted notebook."""
    charts = sequence_charts(result)
    words = Labels("en")
    parts = [f'<div class="tcpcheck-result"><p><b>model {_e(result.model)}</b> '
             f"({_e(result.engine)})</p>", _verdict_table(result.properties, words, links=False)]
    for p in _with_trace(result):
        title = words.t(f"report_section_{_run_word(p)}", name=p.name)
        parts.append(f"<details open><summary>{_e(title)} "
                     f"({words.count('report_steps', len(p.trace))})</summary>")
        parts.append(inline_svg(charts[p.name]))
        parts.append(f"<pre>{_e(render_steps.trace(p.trace))}</pre></details>")
    parts.append(f"<p>{_e(render_text.stats_line(result))}</p></div>")
    return "\n".join(parts)


# ---- the static parts of the page -----------------------------------------------------------

CONTROLS = """<div class="controls">
<button type="button" class="first" title="{first_title}">{first}</button>
<button type="button" class="prev" title="{prev_title}">&#x25C0; {prev}</button>
<input type="range" class="slider" min="0" max="{last}" value="0" aria-label="{slider}">
<button type="button" class="next" title="{next_title}">{next} &#x25B6;</button>
<button type="button" class="last" title="{last_title}">{last_button}</button>
<span class="position"></span>
</div>"""

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
{body}
<script type="application/json" id="{data_id}">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; color: #222; }
h1 { margin-bottom: 0; } .file { color: #666; margin-top: 0.2em; }
pre.model-doc { white-space: pre-wrap; background: #f6f6f6; padding: 0.6em; }
table { border-collapse: collapse; } th, td { padding: 0.25em 0.7em; text-align: left; }
table.verdicts td, table.verdicts th { border-bottom: 1px solid #ddd; }
.status-violated, .status-unreachable { color: #b00020; font-weight: bold; }
.status-holds, .status-reached { color: #1b7a1b; } .status-not_verified { color: #a66300; }
section.trace { border-top: 2px solid #ccc; margin-top: 2em; padding-top: 0.5em; }
section.trace.active { border-top-color: #1f4e79; }
.controls { display: flex; gap: 0.4em; align-items: center; margin: 0.6em 0; }
.controls .slider { flex: 1; } .position { min-width: 8em; font-variant-numeric: tabular-nums; }
.description { font-family: ui-monospace, monospace; background: #eef3f8; padding: 0.4em; }
.panels { display: flex; gap: 1.5em; flex-wrap: wrap; align-items: flex-start; }
.panels table { border: 1px solid #ccc; font-family: ui-monospace, monospace; }
.panels th { background: #f0f0f0; } .panels td:first-child { color: #555; }
.changed { background: #ffe08a; font-weight: bold; }
.channel ul { margin: 0.2em 0; padding-left: 1.2em; font-family: ui-monospace, monospace; }
ul.explanation { list-style: none; padding-left: 0; }
ul.explanation li { margin: 0.3em 0; }
.chart { overflow-x: auto; margin-top: 1em; }
.chart g.step.current rect.row { fill: #fff3c4; }
.chart g.step.current text { fill: #b00020; font-weight: bold; }
.chart .current-arrow line, .chart .current-arrow path { stroke: #b00020; stroke-width: 2.5; }
.chart .current-arrow polygon { fill: #b00020; } .chart .current-arrow text { fill: #b00020; }
"""

# The page's behaviour.  Each section shows one run; the arrow keys move the section used
# last (clicked, focused or scrolled to with its link), the first one until then.
SCRIPT = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("tcpcheck-data").textContent);
const RUNS = new Map(DATA.result.properties.filter(p => p.trace).map(p => [p.name, p]));
const LABELS = DATA.labels;
let active = null;

// A label of the page's language with its {fields} filled in.
function label(key, fields) {
  return LABELS[key].replace(/\{(\w+)\}/g, (_, k) => String(fields[k]));
}

function valueText(v) {
  if (v === true) return "true";
  if (v === false) return "false";
  if (v === null) return LABELS.off;
  if (Array.isArray(v)) return "{" + v.join(",") + "}";
  return String(v);
}

function segmentText(s) {
  const parts = [s.flags.length ? s.flags.join("+") : "none", "seq=" + s.seq];
  if (s.flags.includes("ACK")) parts.push("ack=" + s.ack);
  for (const k of ["len", "wnd", "ts"]) if (k in s) parts.push(k + "=" + s[k]);  // MANUAL 7
  for (const [k, v] of Object.entries(s.ghosts)) parts.push(k + "=" + valueText(v));
  return s.src + "\u2192" + s.dst + " " + parts.join(" ") + (s.age ? " (age " + s.age + ")" : "");
}

function cell(tag, text, changed, attrs) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (changed) el.classList.add("changed");
  return el;
}

// One row of an endpoint's table; "before" is the object holding the previous step's
// value under the same key, or null at the initial state (where nothing has changed).
function row(table, label, value, before, key, attrs) {
  const tr = document.createElement("tr");
  Object.entries(attrs).forEach(([k, v]) => tr.setAttribute(k, v));
  tr.appendChild(cell("td", label));
  const changed = before !== null && valueText(before[key]) !== valueText(value);
  tr.appendChild(cell("td", valueText(value), changed, {"class": "value"}));
  table.appendChild(tr);
}

function endpointTable(view, before) {
  const table = document.createElement("table");
  table.className = "endpoint";
  table.dataset.endpoint = view.name;
  const head = document.createElement("tr");
  head.appendChild(cell("th", view.name, false, {colspan: "2"}));
  table.appendChild(head);
  const b = before || null;
  row(table, LABELS.state, view.state, b, "state", {"data-field": "state"});
  row(table, LABELS.incarnation, view.incarnation, b, "incarnation",
      {"data-field": "incarnation"});
  for (const [k, v] of Object.entries(view.variables))
    row(table, k, v, b && b.variables, k, {"data-var": k});
  for (const [k, v] of Object.entries(view.timers))
    row(table, label("timer", {name: k}), v, b && b.timers, k, {"data-timer": k});
  return table;
}

function channelPanel(state, before) {
  const div = document.createElement("div");
  div.className = "channel";
  div.appendChild(cell("b", LABELS.in_flight));
  const list = document.createElement("ul");
  const old = before ? before.in_flight.map(segmentText) : [];
  for (const s of state.in_flight) {
    const text = segmentText(s);
    const k = old.indexOf(text);
    if (k >= 0) old.splice(k, 1);
    list.appendChild(cell("li", text, before !== null && k < 0, {"class": "segment"}));
  }
  if (!state.in_flight.length) list.appendChild(cell("li", LABELS.nothing));
  div.appendChild(list);
  const faultsChanged = before !== null &&
    (before.lost !== state.lost || before.duplicated !== state.duplicated);
  div.appendChild(cell("div", label("faults", {lost: state.lost, duplicated: state.duplicated}),
                       faultsChanged, {"class": "faults"}));
  return div;
}

function highlightChart(section, n) {
  section.querySelectorAll(".chart g.step").forEach(g =>
    g.classList.toggle("current", g.getAttribute("data-step") === String(n)));
  section.querySelectorAll(".chart [data-sent], .chart [data-arrived]").forEach(a =>
    a.classList.toggle("current-arrow", a.getAttribute("data-sent") === String(n) ||
                                        a.getAttribute("data-arrived") === String(n)));
}

function show(section, n) {
  const trace = RUNS.get(section.dataset.property).trace;
  n = Math.max(0, Math.min(trace.steps.length - 1, n));
  section.dataset.step = String(n);
  const step = trace.steps[n];
  const before = n > 0 ? trace.steps[n - 1].state : null;
  section.querySelector(".slider").value = String(n);
  section.querySelector(".position").textContent =
    label("position", {n: n, total: trace.steps.length - 1});
  const loop = trace.loop_start === n ? LABELS.loop : "";
  const told = DATA.descriptions[section.dataset.property];
  section.querySelector(".description").textContent =
    n + ". " + (told ? told[n] : step.summary) + loop;
  const panels = section.querySelector(".panels");
  panels.replaceChildren(...step.state.endpoints.map((e, i) =>
    endpointTable(e, before && before.endpoints[i])), channelPanel(step.state, before));
  highlightChart(section, n);
}

function activate(section) {
  if (active) active.classList.remove("active");
  active = section;
  section.classList.add("active");
}

function move(section, delta) {
  show(section, Number(section.dataset.step) + delta);
}

document.querySelectorAll("section.trace").forEach(section => {
  const last = RUNS.get(section.dataset.property).trace.steps.length - 1;
  section.querySelector(".first").addEventListener("click", () => show(section, 0));
  section.querySelector(".prev").addEventListener("click", () => move(section, -1));
  section.querySelector(".next").addEventListener("click", () => move(section, 1));
  section.querySelector(".last").addEventListener("click", () => show(section, last));
  section.querySelector(".slider").addEventListener("input",
                                                    e => show(section, Number(e.target.value)));
  section.addEventListener("pointerdown", () => activate(section));
  section.addEventListener("focusin", () => activate(section));
  show(section, 0);
});
const first = document.querySelector("section.trace");
if (first) activate(first);

document.addEventListener("keydown", e => {
  if (!active || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target instanceof HTMLInputElement) return;  // the slider moves itself
  const keys = {ArrowLeft: -1, ArrowRight: 1};
  if (e.key in keys) move(active, keys[e.key]);
  else if (e.key === "Home") show(active, 0);
  else if (e.key === "End") show(active, Infinity);
  else return;
  e.preventDefault();
});
window.addEventListener("hashchange", () => {
  const target = document.getElementById(location.hash.slice(1));
  if (target && target.matches("section.trace")) activate(target);
});
"""
