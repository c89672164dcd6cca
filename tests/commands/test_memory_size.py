"""--max-memory SIZE: megabytes, or a number with a binary unit; anything else is exit 2."""
import argparse
from pathlib import Path

import pytest

from tcpcheck.commands._common import positive_megabytes
from tcpcheck.cli import main

MODEL = str(Path(__file__).resolve().parents[2] / "models" / "rfc9293.tcp")


@pytest.mark.parametrize("text, mib", [
    ("300", 300.0), ("1.5", 1.5), ("512M", 512.0), ("800MB", 800.0), ("2G", 2048.0),
    ("2gib", 2048.0), ("64K", 0.0625), ("1T", 1024.0 ** 2), (" 5 mb ", 5.0),
])
def test_sizes_are_read_in_mebibytes(text, mib):
    assert positive_megabytes(text) == mib


@pytest.mark.parametrize("text", ["", "G", "12X", "1GG", "-5M", "0", "inf", "nanM"])
def test_other_sizes_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        positive_megabytes(text)


def test_a_size_with_a_unit_stops_check_at_the_limit(capsys):
    code = main(["check", MODEL, "--engine", "python", "--max-memory", "1M"])
    out, err = capsys.readouterr()
    assert code == 3 and "--max-memory" in out + err and "Traceback" not in err


def test_a_bad_size_is_exit_2_with_examples(capsys):
    assert main(["check", MODEL, "--max-memory", "lots"]) == 2
    assert "512M" in capsys.readouterr().err
