"""The words tcpcheck's output speaks, one table per language: the sentence templates of
explanations and the labels of the report and the charts (here, among the renderers, so
that explain and render both use them and neither imports the other's way back).

Every key of :data:`EN` is in :data:`ZH`; placeholders are ``str.format`` fields filled in
by :mod:`tcpcheck.explain.words`.  Model text (state, transition, property and endpoint
names, doc strings, expressions) is inserted as written: only the words around it are
translated.  The Chinese wording follows the terms of the teaching article our users know
(三次握手, 报文段, 序号, 确认号, 客户端, 服务器, 失效的连接请求报文段), with RFC 9293 where the
article is loose (MSL is a time, not a size).
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

EN = {
    # endpoints and segments
    "endpoint": "the {name}",
    "endpoint_of": "the {name}'s",
    "segment": "{flags} with seq={seq}",
    "segment_ack": "{flags} with seq={seq} and ack={ack}",
    "old_segment": "old {flags} with seq={seq}",
    "old_segment_ack": "old {flags} with seq={seq} and ack={ack}",
    "old_syn": "old SYN with seq={seq}",
    "data_one": ", carrying 1 octet of data",  # a segment of a model with len (MANUAL 7)
    "data_many": ", carrying {octets} octets of data",
    "segment_full": "{article}{duplicate}{base}{origin}{delayed}{close}",
    "duplicate_sep": "",
    "article_a": "a ",
    "article_an": "an ",
    "article_the": "the ",
    "close": ",",
    "of": "",
    "sent_by": ", sent by {sender} at step {step}",
    "sent_by_old": ", sent by {sender_of} previous incarnation at step {step}",
    "delayed": " and delayed in the network",
    "duplicate_of": "duplicate, made by the network at step {step}, of the ",
    "again": "{segment} again (as at step {step})",
    "list_and": " and ",
    "list_or": " or ",
    "list_sep": ", ",
    "values_sep": ", ",
    "value": "{name} = {value}",
    "state": "{state}",
    # pieces of a step
    "transition": "[{name}]",
    "transition_doc": "[{name}: {doc}]",
    "labelled": "{name} ({labels})",
    "enters": "enters {state}",
    "stays": "stays in {state}",
    "sending": ", sending {segments}",
    "overflow": "; the channel is full, so {segments} is dropped",
    "overflow_many": "; the channel is full, so {segments} are dropped",
    # steps
    "user": "{Actor} calls {call} {transition} and {move}{sending}{overflow}.",
    "timeout": "{Actor_of} timer {timer} expires; it takes {transition} and "
               "{move}{sending}{overflow}.",
    "crash": "{Actor} crashes and restarts as a new incarnation (incarnation {incarnation}) "
             "{transition} and {move}{sending}{overflow}{left}.",
    "left_behind": "; {segments} is still in the network",
    "left_behind_many": "; {segments} are still in the network",
    "left_item": "the {segment} it sent at step {step}",
    "states_one": "1 state",
    "states_many": "{count} states",
    "recv": "{Segment} reaches {actor}, which is in {state}; {actor} takes it {transition} "
            "and {move}{sending}{overflow}.",
    "discard": "{Segment} reaches {actor}, which is in {state}; no transition of {actor} "
               "takes it there, so it is discarded.",
    "lose": "The network loses {segment}.",
    "duplicate": "The network duplicates {segment}: a second copy is now in flight.",
    "tick": "One tick passes{expired}.",
    "ticks": "{ticks} ticks pass (steps {first} to {last}){expired}.",
    "expired": "; {segments} outlives the MSL and expires",
    "expired_many": "; {segments} outlive the MSL and expire",
    "error": "{Actor} tries {transition} and fails: {detail}.",
    "other": "{summary}.",
    # verdicts
    "breaks_step": "This breaks {property}: it requires `{expression}` after every firing of "
                   "{selectors}, but after {actor_of} {transition} at step {step}, "
                   "`{culprit}` is false{values}.",
    "breaks_step_never": "This breaks {property}: no firing of {selectors} may happen, but "
                         "{actor} takes {transition} at step {step}.",
    "values_part": " ({values})",
    "breaks_always": "This breaks {property}: `{expression}` must hold in every state, but "
                     "after step {step} `{culprit}` is false{values}.",
    "breaks_deadlock": "This breaks {property}: after step {step} nothing more can happen "
                       "although {states}, not both in terminal states ({detail}).",
    "breaks_domains": "This breaks the built-in property domains (every variable stays "
                      "within its declared domain): {detail}.",
    "breaks_other": "This breaks {property}{detail}.",
    "breaks_liveness": "This breaks {property}, a liveness property: {how}.",
    "lasso_eventually": "{repeat} for ever and the goal never holds",
    "lasso_leads_to": "the premise holds after step {start} without the goal, then {repeat} "
                      "for ever and the goal never holds",
    "lasso_always": "{repeat} for ever and the goal holds in none of the cycle's states",
    "lasso_stops": "the run stops after step {step} in a state with no successor, where the "
                   "goal does not hold; fairness cannot rule out a run that stops",
    "repeat_one": "step {first} repeats",
    "repeat_two": "steps {first} and {last} repeat",
    "repeat_many": "steps {first} to {last} repeat",
    "how_sep": "; ",
    "fair_declared": "the cycle is fair under the declared fairness ({fairness})",
    "fair_none": "no fairness is declared, so every such cycle counts",
    "holds_liveness": "{property} holds: every run {runs} was followed through the complete "
                      "state graph, and none avoids the goal for ever.",
    "runs_fair": "that the fairness {fairness} allows",
    "runs_all": "(no fairness is declared, so every run counts)",
    "reaches": "This reaches the goal {property}: after step {step}, `{culprit}` "
               "holds{values}.",
    "property": "{name}",
    "property_doc": "{name} (\"{doc}\")",
    "in_state": "{endpoint} is in {state}",
    "selector": "{endpoint}.{transition}",
    # holding properties and goals
    "holds": "{property} holds: every reachable state was explored and none breaks it.",
    "unreachable": "The goal {property} is unreachable: every reachable state was explored "
                   "and none meets `{expression}`.",
    "holds_within": "{property} holds within the bounds: every reachable state was explored "
                    "and none breaks it, but in {count} of them the channel was full "
                    "{full}.",
    "unreachable_within": "The goal {property} is unreachable within the bounds: every "
                          "reachable state was explored and none meets `{expression}`, but "
                          "in {count} of them the channel was full {full}.",
    "channel_full": "(every segment in flight waits for room to send its replies), so the run "
                    "through it ends there, and what it would do with a larger channel was "
                    "not explored",
    "channel_full_many": "(every segment in flight waits for room to send its replies), so the "
                         "runs through them end there, and what they would do with a larger "
                         "channel was not explored",
    "reached_witness": "The goal {property} is reached by this {steps}-step run:",
    "because": "It {verb} because of what follows; each was found by taking it away and "
               "checking the model again.",
    "verb_holds": "holds",
    "verb_unreachable": "is unreachable",
    "verb_reached": "is reached",
    "check_reason": "{endpoint_of} check `{check}` in {transition}: without it, {summary}.",
    "choice_reason": "{endpoint_of} condition `{check}` on its choice in {transition}: "
                     "without it, {summary}.",
    "removal_reason": "{endpoint_of} transition {transition} itself: without it, {summary}.",
    "summary_run": "{article}{steps}-step run {effect}: {clauses}",
    "summary_initial": "the initial state already {effect}",
    "effect_breaks": "breaks the property",
    "effect_reaches": "reaches the goal",
    "summary_unreachable": "the goal is unreachable (all {states} of the variant were explored)",
    "summary_unreachable_one": "the goal is unreachable (the variant's only state was explored)",
    "then": ", then ",
    "at_step": "{clause} (step {step})",
    "clause_crash": "{actor} crashes and restarts",
    "clause_arrives": "{segment} reaches {actor}",
    "clause_takes": "{actor} takes {transition}",
    "clause_takes_false": "{actor} takes {transition}{on} although `{check}` is false "
                          "({values})",
    "on_segment": " on {segment}",
    "clause_enters": "{actor} takes {transition} and enters {state}",
    "clause_last": "{summary}",
    "no_reasons": "No single check or transition was found without which it would not.",
    "no_reasons_cut_off": "The search for reasons was cut short ({why}); none of the variants "
                          "it decided is a reason.",
    "not_decided_cut_off": "Not decided, because {why}: {items}.",
    "not_decided_cut_off_many": "Not decided, because {why}: {items}.",
    "no_effect": "Taking this away changes nothing (its variant was explored completely): "
                 "{items}.",
    "no_effect_many": "Taking away any of these changes nothing (each variant was explored "
                      "completely): {items}.",
    "not_decided": "Not decided within {max_states} states per variant: {items}; a larger "
                   "--variant-states may decide it.",
    "not_decided_many": "Not decided within {max_states} states per variant: {items}; a larger "
                        "--variant-states may decide them.",
    "item_check": "{endpoint}.{transition}'s check `{check}`",
    "item_choice": "{endpoint}.{transition}'s choice condition `{check}`",
    "item_removed": "{endpoint}.{transition}",
    "skip_weaken": "Checks were not weakened: that only adds runs, and the witness stays one "
                   "of them.",
    "skip_remove": "Removing a transition was not tried: that only takes runs away (a segment "
                   "no transition takes is discarded, which this channel's unbounded loss "
                   "could do anyway), so it cannot change this verdict.",
    "skip_remove_local": "Only transitions that receive segments were removed: removing any "
                         "other only takes runs away.",
    "skip_witness": "Only the transitions the witness fires were removed: the witness is a "
                    "run without any of the others.",
    "no_verdict": "{property} is not verified ({detail}), so there is nothing to explain yet.",
    "not_verified_edge": "{property} is not verified: a run that avoids the goal reaches the "
                         "edge of the bounds ({states} where every segment in flight waits "
                         "for room to send its replies), and what it does beyond it was not "
                         "explored.",
    "not_verified_edge_many": "{property} is not verified: a run that avoids the goal reaches "
                              "the edge of the bounds ({states} where every segment in flight "
                              "waits for room to send its replies), and what it does beyond "
                              "them was not explored.",
    # why a run stopped before a verdict (tcpcheck.result.STOP_DETAILS)
    "stop_decided": "exploration stopped once the other properties were decided",
    "stop_max-states": "the state limit was reached",
    "stop_max-depth": "the depth limit was reached",
    "stop_timeout": "the time limit was reached",
    "stop_interrupted": "the run was interrupted",
    "stop_terminated": "the run was terminated (SIGTERM)",
    "stop_max-memory": "the memory limit was reached",
    "stop_error": "a transition failed to evaluate (see domains)",
    "stop_other": "the run stopped before it was decided",
    # the interactive report's words (tcpcheck/render/report.py), in the same table
    "initial_state": "The initial state.",
    # the sequence chart (tcpcheck/render/svg.py)
    "chart_counterexample_for": "{model}: counterexample for {property} ({steps} steps)",
    "chart_counterexample": "{model}: counterexample ({steps} steps)",
    "chart_witness_for": "{model}: witness for {property} ({steps} steps)",
    "chart_witness": "{model}: witness ({steps} steps)",
    "chart_copy": "dup ",
    "chart_discarded": " (discarded)",
    "chart_lost": " (lost)",
    "chart_expired": " (expired)",
    "chart_dropped": " (channel full, dropped)",
    "chart_in_flight": " (in flight)",
    "report_model": "model {name}",
    "report_property": "property",
    "report_kind": "kind",
    "report_verdict": "verdict",
    "report_run": "run",
    "report_counterexample": "counterexample",
    "report_witness": "witness",
    "report_run_cell": "{what}: {steps}",
    "report_steps": "1 step",
    "report_steps_many": "{count} steps",
    "report_section_counterexample": "Counterexample for {name}",
    "report_section_witness": "Witness for {name}",
    "report_first": "first",
    "report_first_title": "first step (Home)",
    "report_prev": "previous",
    "report_prev_title": "previous step (left arrow)",
    "report_next": "next",
    "report_next_title": "next step (right arrow)",
    "report_last": "last",
    "report_last_title": "last step (End)",
    "report_slider": "step",
    "report_position": "step {n} of {total}",
    "report_loop": "  (the loop starts here)",
    "report_in_flight": "in flight",
    "report_nothing": "nothing",
    "report_faults": "lost {lost}, duplicated {duplicated}",
    "report_state": "state",
    "report_incarnation": "incarnation",
    "report_timer": "timer {name}",
    "report_off": "off",
    "report_warning": "warning: {text}",
    "report_stats": "{states}, {transitions}, diameter {diameter}, {seconds} s ({rate} "
                    "states/s), peak memory {memory} MB{per_state}",
    "report_per_state": " ({bytes} bytes per state)",
    "report_states": "1 state",
    "report_states_many": "{count} states",
    "report_transitions": "1 transition",
    "report_transitions_many": "{count} transitions",
    "report_stopped": "exploration stopped early, at {reason}; the state space was not explored "
                      "completely",
    "report_stopped_decided": "exploration stopped once every property was decided "
                              "(--exhaustive explores the whole state space)",
    "report_undecided": "; NOT VERIFIED: {names}",
    "status_holds": "holds",
    "status_violated": "VIOLATED",
    "status_reached": "reached",
    "status_unreachable": "UNREACHABLE",
    "status_not_verified": "NOT VERIFIED",
    "status_within": "{status} within the bounds (1 state where the channel was full)",
    "status_within_many": "{status} within the bounds ({count} states where the channel was "
                          "full)",
    "detail_edge": "a run that avoids the goal reaches the edge of the bounds",
    # property kinds, as the report's table names them (in English: the JSON's names)
    "kind_always": "always",
    "kind_step": "step",
    "kind_reachable": "reachable",
    "kind_deadlock": "deadlock",
    "kind_eventually": "eventually",
    "kind_always_eventually": "always_eventually",
    "kind_leads_to": "leads_to",
    "kind_lemma": "lemma",
    "kind_domains": "domains",
}

ZH = {
    "endpoint": "{name}",
    "endpoint_of": "{name}的",
    "segment": "{flags} 报文段（序号 seq={seq}）",
    "segment_ack": "{flags} 报文段（序号 seq={seq}，确认号 ack={ack}）",
    "old_segment": "旧的 {flags} 报文段（序号 seq={seq}）",
    "old_segment_ack": "旧的 {flags} 报文段（序号 seq={seq}，确认号 ack={ack}）",
    "old_syn": "失效的连接请求报文段（SYN，序号 seq={seq}）",
    "data_one": "，携带 1 字节数据",
    "data_many": "，携带 {octets} 字节数据",
    "segment_full": "{duplicate}{origin}{delayed}{of}{base}",
    "duplicate_sep": "、",  # between "copied by the network at step N" and "sent by ..."
    "article_a": "",
    "article_an": "",
    "article_the": "",
    "close": "",
    "of": "的",
    "sent_by": "{sender}在第 {step} 步发送",
    "sent_by_old": "{sender}崩溃重启前的旧实例在第 {step} 步发送",
    "delayed": "、在网络中被延迟",
    "duplicate_of": "由网络在第 {step} 步复制出的",
    "again": "{segment}，即重传第 {step} 步发送的报文段",
    "list_and": "和",
    "list_or": "或",
    "list_sep": "、",
    "values_sep": "，",
    "value": "{name} = {value}",
    "state": "{state}",
    "transition": "[{name}]",
    "transition_doc": "[{name}: {doc}]",
    "labelled": "{name} ({labels})",  # inside the [...] of model text: its punctuation
    "enters": "进入 {state} 状态",
    "stays": "仍处于 {state} 状态",
    "sending": "，并发送{segments}",
    "overflow": "；信道已满，{segments}被丢弃",
    "overflow_many": "；信道已满，{segments}被丢弃",
    "user": "{Actor}调用 {call} {transition}，{move}{sending}{overflow}。",
    "timeout": "{Actor_of}定时器 {timer} 超时；{Actor}执行 {transition}，{move}{sending}{overflow}。",
    "crash": "{Actor}崩溃并重启，成为新的实例（实例 {incarnation}）{transition}，"
             "{move}{sending}{overflow}{left}。",
    "left_behind": "；{segments}仍在网络中",
    "left_behind_many": "；{segments}仍在网络中",
    "left_item": "它在第 {step} 步发送的{segment}",
    "states_one": "1 个状态",
    "states_many": "{count} 个状态",
    "recv": "{Segment}到达{actor}，此时{actor}处于 {state} 状态；{actor}执行 {transition} "
            "接收它，{move}{sending}{overflow}。",
    "discard": "{Segment}到达{actor}，此时{actor}处于 {state} 状态；{actor}在该状态下没有"
               "接收它的转换，该报文段被丢弃。",
    "lose": "网络丢失了{segment}。",
    "duplicate": "网络复制了{segment}：网络中多了一个副本。",
    "tick": "经过 1 个时钟滴答{expired}。",
    "ticks": "经过 {ticks} 个时钟滴答（第 {first} 步到第 {last} 步）{expired}。",
    "expired": "；{segments}超过最大报文段生存时间（MSL），在网络中失效",
    "expired_many": "；{segments}超过最大报文段生存时间（MSL），在网络中失效",
    "error": "{Actor}执行 {transition} 时出错：{detail}。",
    "other": "{summary}。",
    "breaks_step": "这违反了性质 {property}：它要求每次执行 {selectors} 之后 `{expression}` "
                   "成立，但在第 {step} 步{actor_of} {transition} 执行之后，`{culprit}` 不成立"
                   "{values}。",
    "breaks_step_never": "这违反了性质 {property}：{selectors} 一次也不允许执行，但在第 {step} 步"
                         "{actor}执行了 {transition}。",
    "values_part": "（{values}）",
    "breaks_always": "这违反了性质 {property}：`{expression}` 必须在每个状态下成立，但在第 "
                     "{step} 步之后 `{culprit}` 不成立{values}。",
    "breaks_deadlock": "这违反了性质 {property}：第 {step} 步之后系统再也无法前进，而此时"
                       "{states}，并非双方都处于终止状态（{detail}）。",
    "breaks_domains": "这违反了内置性质 domains（每个变量都不超出其声明的取值范围）：{detail}。",
    "breaks_other": "这违反了性质 {property}{detail}。",
    "breaks_liveness": "这违反了活性性质{property}：{how}。",
    "lasso_eventually": "{repeat}永远重复下去，目标始终不成立",
    "lasso_leads_to": "第 {start} 步之后前提成立而目标不成立，然后{repeat}永远重复下去，目标始终不成立",
    "lasso_always": "{repeat}永远重复下去，循环中的任何状态都不满足目标",
    "lasso_stops": "运行在第 {step} 步之后停在一个没有后继的状态，目标在那里不成立；"
                   "公平性无法排除一个停下来的运行",
    "repeat_one": "第 {first} 步",
    "repeat_two": "第 {first} 步和第 {last} 步",
    "repeat_many": "第 {first} 步到第 {last} 步",
    "how_sep": "；",
    "fair_declared": "在声明的公平性（{fairness}）下这个循环是公平的",
    "fair_none": "模型没有声明公平性，所以每一个这样的循环都算数",
    "holds_liveness": "性质{property}成立：在完整的状态图上检查了{runs}，没有一个永远避开目标。",
    "runs_fair": "公平性 {fairness} 允许的每一个运行",
    "runs_all": "每一个运行（模型没有声明公平性，所以每一个运行都算数）",
    "reaches": "这达到了目标 {property}：第 {step} 步之后，`{culprit}` 成立{values}。",
    "property": "{name}",
    "property_doc": "{name}（“{doc}”）",
    "in_state": "{endpoint}处于 {state} 状态",
    "selector": "{endpoint}.{transition}",
    "holds": "性质{property}成立：所有可达状态都已检查，没有一个违反它。",
    "unreachable": "目标{property}不可达：所有可达状态都已检查，没有一个满足 `{expression}`。",
    "holds_within": "性质{property}在模型的界限内成立：所有可达状态都已检查，没有一个违反它；"
                    "但其中 {count} 个状态里信道已满{full}。",
    "unreachable_within": "目标{property}在模型的界限内不可达：所有可达状态都已检查，没有一个"
                          "满足 `{expression}`；但其中 {count} 个状态里信道已满{full}。",
    "channel_full": "（网络中的每个报文段都在等待空间来发送它引起的回复），经过这个状态的运行"
                    "在那里结束，信道更大时它会怎样继续没有被检查",
    "channel_full_many": "（网络中的每个报文段都在等待空间来发送它引起的回复），经过这些状态的"
                         "运行在那里结束，信道更大时它们会怎样继续没有被检查",
    "reached_witness": "下面这个 {steps} 步的运行达到了目标 {property}：",
    "because": "它{verb}，原因如下；每一条都是把它去掉后重新检查模型得出的。",
    "verb_holds": "成立",
    "verb_unreachable": "不可达",
    "verb_reached": "可达",
    "check_reason": "{endpoint_of} {transition} 中的检查 `{check}`：去掉它，{summary}。",
    "choice_reason": "{endpoint_of} {transition} 中选值的条件 `{check}`：去掉它，{summary}。",
    "removal_reason": "{endpoint_of}转换 {transition}：去掉它，{summary}。",
    "summary_run": "一个 {steps} 步的运行就会{effect}：{clauses}",
    "summary_initial": "初始状态就已{effect}",
    "effect_breaks": "违反该性质",
    "effect_reaches": "达到该目标",
    "summary_unreachable": "目标就不可达（该变体的全部 {states}都已检查）",
    "summary_unreachable_one": "目标就不可达（该变体只有 1 个状态，已检查）",
    "then": "，然后",
    "at_step": "{clause}（第 {step} 步）",
    "clause_crash": "{actor}崩溃并重启",
    "clause_arrives": "{segment}到达{actor}",
    "clause_takes": "{actor}执行 {transition}",
    "clause_takes_false": "{actor}{on}在 `{check}` 不成立时执行了 {transition}（{values}）",
    "on_segment": "收到{segment}，",
    "clause_enters": "{actor}执行 {transition}，进入 {state} 状态",
    "clause_last": "{summary}",
    "no_reasons": "没有找到哪一个单独的检查或转换，去掉之后会改变这个结论。",
    "no_reasons_cut_off": "寻找原因的检查被提前停止（{why}）；已判定的变体中没有一个是原因。",
    "not_decided_cut_off": "因为{why}，未能判定：{items}。",
    "not_decided_cut_off_many": "因为{why}，未能判定：{items}。",
    "no_effect": "去掉这一项不改变结论（该变体已完整检查）：{items}。",
    "no_effect_many": "去掉下列任何一项都不改变结论（每个变体都已完整检查）：{items}。",
    "not_decided": "在每个变体 {max_states} 个状态的限制内未能判定：{items}；"
                   "加大 --variant-states 可能判定它。",
    "not_decided_many": "在每个变体 {max_states} 个状态的限制内未能判定：{items}；"
                        "加大 --variant-states 可能判定它们。",
    "item_check": "{endpoint}.{transition} 的检查 `{check}`",
    "item_choice": "{endpoint}.{transition} 的选值条件 `{check}`",
    "item_removed": "{endpoint}.{transition}",
    "skip_weaken": "没有放宽检查：放宽只会增加运行，而见证运行仍是其中之一。",
    "skip_remove": "没有尝试删除转换：删除只会减少运行（没有转换接收的报文段被丢弃，而这个"
                   "信道的丢失不受限制，本来就可能丢掉它），所以不会改变这个结论。",
    "skip_remove_local": "只尝试删除接收报文段的转换：删除其他转换只会减少运行。",
    "skip_witness": "只尝试删除见证运行中执行过的转换：去掉其他任何转换，见证运行依然存在。",
    "no_verdict": "性质{property}未被验证（{detail}），因此还没有可解释的结论。",
    "not_verified_edge": "性质{property}未被验证：一个避开目标的运行到达了模型界限的边缘（{states}，"
                         "在这个状态里网络中的每个报文段都在等待空间来发送它引起的回复），"
                         "它在界限之外会怎样继续没有被检查。",
    "not_verified_edge_many": "性质{property}未被验证：一个避开目标的运行到达了模型界限的边缘"
                              "（{states}，在这些状态里网络中的每个报文段都在等待空间来发送它"
                              "引起的回复），它在界限之外会怎样继续没有被检查。",
    "stop_decided": "其他性质都已判定，检查随即停止",
    "stop_max-states": "达到了状态数上限",
    "stop_max-depth": "达到了深度上限",
    "stop_timeout": "达到了时间上限",
    "stop_interrupted": "检查被中断",
    "stop_terminated": "检查被终止（SIGTERM）",
    "stop_max-memory": "达到了内存上限",
    "stop_error": "某个转换无法求值（见 domains）",
    "stop_other": "检查在判定之前就停止了",
    "initial_state": "初始状态。",
    # the sequence chart (tcpcheck/render/svg.py)
    "chart_counterexample_for": "{model}：{property} 的反例（{steps} 步）",
    "chart_counterexample": "{model}：反例（{steps} 步）",
    "chart_witness_for": "{model}：{property} 的见证运行（{steps} 步）",
    "chart_witness": "{model}：见证运行（{steps} 步）",
    "chart_copy": "副本 ",
    "chart_discarded": "（被丢弃）",
    "chart_lost": "（丢失）",
    "chart_expired": "（过期）",
    "chart_dropped": "（信道已满，被丢弃）",
    "chart_in_flight": "（仍在网络中）",
    "report_model": "模型 {name}",
    "report_property": "性质",
    "report_kind": "类型",
    "report_verdict": "结论",
    "report_run": "运行",
    "report_counterexample": "反例",
    "report_witness": "见证运行",
    "report_run_cell": "{what}：{steps}",
    "report_steps": "1 步",
    "report_steps_many": "{count} 步",
    "report_section_counterexample": "{name} 的反例",
    "report_section_witness": "{name} 的见证运行",
    "report_first": "第一步",
    "report_first_title": "第一步（Home 键）",
    "report_prev": "上一步",
    "report_prev_title": "上一步（左方向键）",
    "report_next": "下一步",
    "report_next_title": "下一步（右方向键）",
    "report_last": "最后一步",
    "report_last_title": "最后一步（End 键）",
    "report_slider": "步",
    "report_position": "第 {n} 步，共 {total} 步",
    "report_loop": "（循环从这里开始）",
    "report_in_flight": "网络中的报文段",
    "report_nothing": "无",
    "report_faults": "已丢失 {lost}，已复制 {duplicated}",
    "report_state": "状态",
    "report_incarnation": "实例",
    "report_timer": "定时器 {name}",
    "report_off": "未启动",
    "report_warning": "警告：{text}",
    "report_stats": "{states}，{transitions}，直径 {diameter}，{seconds} 秒（每秒 {rate} 个状态），"
                    "内存峰值 {memory} MB{per_state}",
    "report_per_state": "（每个状态 {bytes} 字节）",
    "report_states": "1 个状态",
    "report_states_many": "{count} 个状态",
    "report_transitions": "1 次状态迁移",
    "report_transitions_many": "{count} 次状态迁移",
    "report_stopped": "检查提前停止（{reason}），状态空间没有被完整探索",
    "report_stopped_decided": "所有性质都已判定，检查随即停止（--exhaustive 会探索整个状态空间）",
    "report_undecided": "；未验证：{names}",
    "status_holds": "成立",
    "status_violated": "被违反",
    "status_reached": "可达",
    "status_unreachable": "不可达",
    "status_not_verified": "未验证",
    "status_within": "在模型的界限内{status}（其中 1 个状态里信道已满）",
    "status_within_many": "在模型的界限内{status}（其中 {count} 个状态里信道已满）",
    "detail_edge": "一个避开目标的运行到达了模型界限的边缘",
    "kind_always": "不变式",
    "kind_step": "转换后不变式",
    "kind_reachable": "可达目标",
    "kind_deadlock": "无死锁",
    "kind_eventually": "最终成立",
    "kind_always_eventually": "反复成立",
    "kind_leads_to": "导致（~>）",
    "kind_lemma": "引理",
    "kind_domains": "取值范围",
}

# How the endpoints of the shipped models and of most users' models are called in Chinese;
# any other name is kept as written.
ZH_ENDPOINTS = {"client": "客户端", "server": "服务器", "host": "主机", "peer": "对端",
                "attacker": "攻击者", "closer": "主动关闭方"}

TABLES = {"en": EN, "zh": ZH}
