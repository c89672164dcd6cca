"""The ``tcpcheck`` command line.  The only module, with tcpcheck/commands, that prints.

Every subcommand lives in a module of tcpcheck/commands.  :func:`main` is the one place that
turns what a command raises into a message and an exit code, so no input a user can type
ends in a traceback:

* 0 every property holds, 1 a property is violated (or a reachable goal is not reachable),
  2 bad model, bad usage, or an output that cannot be written, 3 nothing failed but the run
  stopped (a limit, Ctrl-C or SIGTERM) before every property was verified;
* 4 an internal error: a bug in tcpcheck, reported in one line with the command to report
  (``TCPCHECK_TRACEBACK=1`` shows the Python traceback);
* 130 (SIGINT) or 143 (SIGTERM) when a signal arrives during start-up, before any run began,
  as the shell's convention for a process stopped by a signal.

A closed standard output or a reader that went away (``tcpcheck ... | head``) ends the
output quietly; the exit code is still the verdict's.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import shlex
import sys

from tcpcheck import __version__
from tcpcheck.limits import ForcedStop, Interrupted, exit_code_for_signal, signal_handlers

# the exit codes of tcpcheck.result, here too so that start-up imports stay light (a Ctrl-C
# while the heavier modules load is still handled by main)
EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 2, 3, 4

EXIT_CODES = """\
exit codes: 0 all properties hold, 1 a property is violated, 2 bad model or usage,
            3 stopped (a limit, Ctrl-C, SIGTERM) before every property was verified,
            4 internal error (please report it), 130/143 interrupted during start-up
"""

EXAMPLES = """\
examples:
  tcpcheck check models/two_way_handshake.tcp          shows the stale-SYN counterexample
  tcpcheck check models/three_way_handshake.tcp        verifies no_stale_accept
  tcpcheck prove models/three_way_handshake.tcp        proves it for every ISN, 32-bit
  tcpcheck explain models/two_way_handshake.tcp --lang zh   the run in numbered sentences
  tcpcheck parse MODEL                                 validate and summarise a model

""" + EXIT_CODES


def build_parser(argv=None) -> tuple[argparse.ArgumentParser, dict]:
    """The parser, and each subcommand's ``run`` by name.  When the command line begins with
    a subcommand's name, only that subcommand is built (and its module imported): the
    top-level options take no value, so nothing else can come first and need the others;
    any other command line (``--help``, a misspelt command) gets every subcommand."""
    from tcpcheck import commands

    words = sys.argv[1:] if argv is None else list(argv)
    only = words[0] if words and words[0] in commands.names() else None

    parser = argparse.ArgumentParser(
        prog="tcpcheck", description="Model-check formal models of TCP connection management.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tcpcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runs = {}
    for command in sorted(commands.load(only), key=lambda c: (getattr(c, "ORDER", 100), c.NAME)):
        command.add_parser(sub)
        runs[command.NAME] = command.run
    return parser, runs


def main(argv=None, stdout=None, stderr=None) -> int:
    """Run one command line; returns the exit code (never raises, never shows a traceback)."""
    out = _Output(stdout or sys.stdout)
    err = _Output(stderr or sys.stderr)
    with signal_handlers():
        code = _main(argv, out, err)
        out.finish()
    if out.failed is not None:
        err.write(f"tcpcheck: cannot write the output: {out.failed}\n")
        return EXIT_BAD_INPUT
    return code


def _main(argv, stdout, stderr) -> int:
    from tcpcheck.diagnostics import ModelError, TcpcheckError

    try:
        parser, runs = build_parser(argv)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                args = parser.parse_args(argv)  # argparse prints usage errors and --help itself
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
        if args.command is None:
            parser.print_help(stdout)
            return EXIT_BAD_INPUT
        return runs[args.command](args, stdout, stderr)
    except ModelError as error:
        from tcpcheck.render import text as render_text

        stderr.write(render_text.model_error(error) + "\n")
        return EXIT_BAD_INPUT
    except TcpcheckError as error:  # usage errors, and models the engine cannot compile
        stderr.write(f"tcpcheck: error: {error}\n")
        return EXIT_BAD_INPUT
    except (Interrupted, ForcedStop, KeyboardInterrupt) as stop:
        # where no run was under way to report on (start-up), or a second Ctrl-C
        signum = getattr(stop, "signum", None)
        stderr.write("\ntcpcheck: " + ("terminated" if signum == 15 else "interrupted")
                     + " before any property was decided\n")
        return exit_code_for_signal(signum)
    except MemoryError:
        stderr.write("tcpcheck: out of memory; --max-memory SIZE stops a run earlier with "
                     "what it found\n")
        return EXIT_INCOMPLETE
    except Exception as error:  # a bug: one line, the command, and how to see more
        if os.environ.get("TCPCHECK_TRACEBACK"):
            raise
        command = "tcpcheck " + shlex.join(sys.argv[1:] if argv is None else list(argv))
        text = str(error).splitlines()[0][:200] if str(error) else ""
        stderr.write(f"tcpcheck: internal error: {type(error).__name__}"
                     + (f": {text}" if text else "")
                     + f"\nThis is a bug in tcpcheck {__version__}; please report it with the "
                       f"command that caused it:\n  {command}\n"
                       "(TCPCHECK_TRACEBACK=1 shows where it happened)\n")
        return EXIT_INTERNAL


# errors that mean the reader is gone or never was: end the output quietly
_QUIET = (errno.EPIPE, errno.EBADF, errno.ECONNRESET)


class _Output:
    """A text stream that never lets a write error end the command: a closed or broken
    standard output ends the output quietly; a full one (ENOSPC) is reported once, after the
    command; a character the stream's encoding cannot show is escaped (``\\u5ba2``)."""

    def __init__(self, stream):
        self.stream = stream
        self.failed: str | None = None  # why the output was lost, when it matters
        self.lost = stream is None

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                self.stream.write(text)
            except UnicodeEncodeError:
                encoding = getattr(self.stream, "encoding", None) or "ascii"
                self._guard(lambda: self.stream.write(
                    text.encode(encoding, "backslashreplace").decode(encoding)))
            except (OSError, ValueError) as error:
                self._lose(error)
        return len(text)

    def _guard(self, action) -> None:
        try:
            action()
        except (OSError, ValueError) as error:
            self._lose(error)

    def _lose(self, error) -> None:
        self.lost = True
        code = getattr(error, "errno", None)
        if isinstance(error, OSError) and code not in _QUIET:
            self.failed = error.strerror or str(error)

    def flush(self) -> None:
        if not self.lost:
            self._guard(self.stream.flush)

    def finish(self) -> None:
        self.flush()

    def isatty(self) -> bool:
        try:
            return not self.lost and self.stream.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def __getattr__(self, name):  # encoding, fileno, ... of the stream underneath
        return getattr(self.stream, name)


def _standard_descriptors() -> None:
    """A descriptor 0, 1 or 2 the process was started without (``>&-``) is opened on
    /dev/null, so a file opened later cannot take its number and receive stray output."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            except OSError:
                return


def run() -> None:  # console-script entry point
    _standard_descriptors()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    code = main()
    _silence_stdout()
    sys.exit(code)


def _silence_stdout() -> None:
    """Flush now, and if the reader is gone, point standard output at /dev/null, so that
    Python's own flush at exit has nothing to complain about."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError):
                pass


if __name__ == "__main__":
    run()
