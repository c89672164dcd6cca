"""The lab: two network namespaces joined by a veth pair, always removed.

* ``kernel`` namespace: 10.77.0.1/24 on its end of the pair; the sockets under test live
  here, driven only through the ordinary socket API.
* ``craft`` namespace: 10.77.0.2/24 on the other end; crafted segments leave from here
  through an AF_PACKET socket, and the replies are captured on the same interface.

Probes are sent **from 10.77.0.3, an address no namespace owns**.  The kernel side has a
permanent neighbour entry for it pointing at the craft end's MAC address, so its replies
reach the craft interface, where the AF_PACKET socket sees them; the craft namespace's own
kernel does not own 10.77.0.3 and does not forward (a new namespace has forwarding off), so
it drops them instead of answering with RSTs of its own.  This needs no nftables or iptables
(neither is installed everywhere) and no rule to remove afterwards.

Names are unique per run (the process id and random bytes), and :class:`Lab` removes both
namespaces (the veth pair goes with them) on leaving, also on an exception, Ctrl-C or SIGTERM
(tcpcheck.limits turns those into exceptions that unwind through ``with``).
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError

KERNEL_ADDR, CRAFT_ADDR, PROBE_ADDR = "10.77.0.1", "10.77.0.2", "10.77.0.3"
PREFIX = 24
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000

# the sysctls that change what a probe gets back (issue 14 section 3), read in the kernel
# namespace: each is per namespace on current kernels
SYSCTLS = ("net.ipv4.tcp_syncookies", "net.ipv4.tcp_rfc1337", "net.ipv4.tcp_tw_reuse",
           "net.ipv4.tcp_timestamps", "net.ipv4.tcp_challenge_ack_limit",
           "net.ipv4.tcp_fin_timeout")
# the retransmission timeout's floor on the route to the probe address: a FIN the crafted
# side leaves unacknowledged (FIN-WAIT-1, CLOSING, LAST-ACK) is retransmitted only after
# this, never inside a probe's reply window (the default floor is 200 ms)
RTO_MIN = "5s"


class LabError(UsageError):
    """The lab cannot be built here (not root, no ``ip netns``): exit 2 with this message."""


@dataclass(frozen=True)
class Lab:
    """A built lab: the namespaces' and interfaces' names, and the craft end's MAC."""

    kernel_ns: str
    craft_ns: str
    kernel_if: str
    craft_if: str
    craft_mac: str
    kernel_mac: str


def check_can_build() -> None:
    """Raise :class:`LabError` when this process cannot build a lab: a clear message, not
    the first failing command's output."""
    if os.geteuid() != 0:
        raise LabError("probe needs root: it creates network namespaces and sends crafted "
                       "segments (run it as root, e.g. with sudo)")
    for tool, why in (("ip", "to create network namespaces"), ("ss", "to read socket states")):
        if shutil.which(tool) is None:
            raise LabError(f"probe needs the '{tool}' command (iproute2) {why}")


def _ip(*args: str, ns: str | None = None, check: bool = True) -> str:
    cmd = ["ip", *(["-n", ns] if ns else []), *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise LabError(f"'{' '.join(cmd)}' failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


@contextmanager
def lab():
    """Build a lab, yield it, and remove it whatever happens."""
    check_can_build()
    token = f"{_prefix()[len('tcpcheck-'):]}{secrets.token_hex(2)}"
    made = []
    try:
        kernel_ns, craft_ns = f"tcpcheck-{token}-k", f"tcpcheck-{token}-c"
        kernel_if, craft_if = f"tck{token}k", f"tck{token}c"  # 15 characters at most
        for ns in (kernel_ns, craft_ns):
            # named before it is made: a signal may arrive after `ip` made it and before
            # this line learns so (deleting one never made is harmless)
            made.append(ns)
            _ip("netns", "add", ns)
        _ip("link", "add", kernel_if, "netns", kernel_ns, "type", "veth",
            "peer", "name", craft_if, "netns", craft_ns)
        for ns, ifname, addr in ((kernel_ns, kernel_if, KERNEL_ADDR),
                                 (craft_ns, craft_if, CRAFT_ADDR)):
            # no IPv6 on the pair: its neighbour and router solicitations are noise here
            _sysctl_write(ns, f"net.ipv6.conf.{ifname}.disable_ipv6", "1")
            _ip("addr", "add", f"{addr}/{PREFIX}", "dev", ifname, ns=ns)
            _ip("link", "set", ifname, "up", ns=ns)
            _ip("link", "set", "lo", "up", ns=ns)
        craft_mac = _link_mac(craft_ns, craft_if)
        kernel_mac = _link_mac(kernel_ns, kernel_if)
        _ip("neigh", "replace", PROBE_ADDR, "lladdr", craft_mac, "dev", kernel_if,
            "nud", "permanent", ns=kernel_ns)
        _ip("route", "replace", f"{PROBE_ADDR}/32", "dev", kernel_if, "rto_min", RTO_MIN,
            ns=kernel_ns)
        yield Lab(kernel_ns, craft_ns, kernel_if, craft_if, craft_mac, kernel_mac)
    finally:
        _remove(made)


def _remove(namespaces: list) -> None:
    """Delete the namespaces (the veth pair goes with them) with Ctrl-C and SIGTERM held
    back meanwhile: a second signal must not leave a namespace behind; it is delivered
    (and honoured) once they are gone."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        for ns in reversed(namespaces):
            _ip("netns", "del", ns, check=False)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _link_mac(ns: str, ifname: str) -> str:
    out = _ip("-o", "link", "show", ifname, ns=ns)
    return out.split("link/ether", 1)[1].split()[0]


def _sysctl_write(ns: str, key: str, value: str) -> None:
    with entered(ns):
        path = "/proc/sys/" + key.replace(".", "/")
        with open(path, "w") as f:
            f.write(value)


def read_sysctls(ns: str) -> dict:
    """The outcome-changing sysctls as the kernel namespace sees them (None: not present)."""
    values = {}
    with entered(ns):
        for key in SYSCTLS:
            try:
                with open("/proc/sys/" + key.replace(".", "/")) as f:
                    values[key] = f.read().strip()
            except OSError:
                values[key] = None
    return values


def kernel_release() -> str:
    return os.uname().release


def _prefix() -> str:
    return f"tcpcheck-{os.getpid() % 10000:04d}"


def existing(mine: bool = False) -> list:
    """The network namespaces tcpcheck made that exist now; with ``mine``, those this
    process made (the tests read it; other processes may run labs meanwhile)."""
    start = _prefix() if mine else "tcpcheck-"
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(start))
    except OSError:
        return []


_libc = None


def _setns(fd: int) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise LabError(f"cannot enter a network namespace: {os.strerror(err)}")


@contextmanager
def entered(ns: str):
    """Run the body in network namespace ``ns`` (this thread only); sockets made inside
    stay in it after leaving.  /proc/sys/net read inside is the namespace's."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(f"{NETNS_DIR}/{ns}", os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(home)


def socket_states(ns: str) -> str:
    """``ss -tan`` in namespace ``ns`` (its text, for the report)."""
    done = subprocess.run(["ip", "netns", "exec", ns, "ss", "-tan"], capture_output=True,
                          text=True)
    return done.stdout if done.returncode == 0 else ""
