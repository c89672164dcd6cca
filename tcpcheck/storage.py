"""``check --storage``: how the native search remembers the states it has seen
(docs/storage.md).  ``exact`` keeps every state; ``hashcompact`` (SPIN's -DHC4, TLC's
fingerprints) keeps a 64-bit hash of each; ``bitstate`` (SPIN's -DBITSTATE) sets 3 bits
of a bit array per state.  The approximate modes may take a new state for one seen before
(a hash collision) and so miss the runs through it: their results never say "holds", and
they carry the estimate of what was missed, as SPIN and TLC print it.  ``--hash-seed``
picks another hash function for them (seed 0: the default one), so that runs with
different seeds miss different states: SPIN's -RS, the diversity a swarm's bitstate tasks
rely on."""

from __future__ import annotations

from dataclasses import dataclass

EXACT, HASHCOMPACT, BITSTATE = "exact", "hashcompact", "bitstate"
MODES = (EXACT, HASHCOMPACT, BITSTATE)
CODES = {EXACT: 0, HASHCOMPACT: 1, BITSTATE: 2}  # search.c's ST_*
FINGERPRINT_BITS = 64
BITSTATE_HASHES = 3  # SPIN's default k
DEFAULT_BITS = 27    # 2^27 bits: a 16 MiB array
MIN_BITS, MAX_BITS = 6, 40


class StorageError(ValueError):
    """A --storage value that means nothing; ``str()`` says why."""


def parse(text: str) -> tuple:
    """(mode, bits) from ``exact``, ``hashcompact``, ``bitstate`` or ``bitstate=BITS``."""
    mode, _, bits = text.partition("=")
    if mode not in MODES:
        raise StorageError(f"--storage {text}: choose exact, hashcompact or bitstate[=BITS]")
    if not bits:
        return mode, DEFAULT_BITS
    if mode != BITSTATE:
        raise StorageError(f"--storage {text}: only bitstate takes =BITS")
    if not bits.isdigit() or not MIN_BITS <= int(bits) <= MAX_BITS:
        raise StorageError(f"--storage {text}: BITS is log2 of the bit array's size, "
                           f"{MIN_BITS} to {MAX_BITS}")
    return mode, int(bits)


@dataclass(frozen=True)
class Storage:
    """What an approximate run used and what it may have missed."""

    mode: str
    states: int
    bits: int | None = None          # bitstate: log2 of the array's bits
    bits_set: int | None = None      # bitstate: set at the end
    expected_missed: float = 0.0     # hashcompact: expected states taken for others
    miss_probability: float = 0.0    # the probability a new state was taken as seen
    hash_seed: int = 0               # check --hash-seed: which hash function was used

    @property
    def hash_factor(self) -> float | None:
        """SPIN's hash factor: bits per state (above 100 or so, few are missed)."""
        if self.bits is None or not self.states:
            return None
        return (1 << self.bits) / self.states

    def words(self) -> str:
        """One phrase: the mode (and its hash seed, when not the default) and its estimate."""
        seed = f", hash seed {self.hash_seed}" if self.hash_seed else ""
        if self.mode == HASHCOMPACT:
            return (f"hashcompact, {FINGERPRINT_BITS}-bit fingerprints{seed}: expected states "
                    f"missed about {self.expected_missed:.1e} (n^2 / 2^65)")
        return (f"bitstate, 2^{self.bits} bits, {BITSTATE_HASHES} hashes{seed}, hash factor "
                f"{self.hash_factor:.1f}: a new state was taken for a visited one with "
                f"probability up to {self.miss_probability:.1e}")

    def as_json(self) -> dict:
        out = {"mode": self.mode, "approximate": True,
               "expected_states_missed": self.expected_missed,
               "miss_probability": self.miss_probability, "hash_seed": self.hash_seed}
        if self.mode == HASHCOMPACT:
            out["fingerprint_bits"] = FINGERPRINT_BITS
        else:
            out.update(bits=self.bits, hashes=BITSTATE_HASHES, bits_set=self.bits_set,
                       hash_factor=round(self.hash_factor or 0.0, 3))
        return out


def hashcompact(states: int, hash_seed: int = 0) -> Storage:
    """n states with f-bit fingerprints: about n^2 / 2^(f+1) collisions expected (TLC)."""
    expected = states * states / 2.0 ** (FINGERPRINT_BITS + 1)
    return Storage(HASHCOMPACT, states, expected_missed=expected,
                   miss_probability=min(1.0, expected), hash_seed=hash_seed)


def bitstate(states: int, bits: int, bits_set: int, hash_seed: int = 0) -> Storage:
    """The chance that a new state finds its k bits set: the final fill to the k-th power,
    an upper bound over the run (the array filled as it went); times the states, a bound
    on those missed."""
    fill = bits_set / float(1 << bits)
    p = fill ** BITSTATE_HASHES
    return Storage(BITSTATE, states, bits, bits_set, expected_missed=states * p,
                   miss_probability=p, hash_seed=hash_seed)
