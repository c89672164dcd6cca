"""Live probing of the Linux TCP stack (issue 14, section 3; spec/MANUAL.md 14.19).

:mod:`tcpcheck.probe.lab` builds two network namespaces joined by a veth pair and removes
them; :mod:`tcpcheck.probe.kernel` drives a real socket into a control state there and sends
crafted segments at it, capturing the replies.  Nothing here knows the model: the comparison
with the model's prediction is :mod:`tcpcheck.analyses.probe`."""
