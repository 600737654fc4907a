"""Fuzzing the chip's parsers with hypothesis: random bytes, truncations, bit flips, overwrites, deletions
and insertions of a genuine SOD and genuine data groups. Each parser may only fail with its own error
type (SodError, LdsError, MrzError, TlvError); passive authentication never raises and never passes an
altered data group; the whole read (and `kiosk id chip`) ends in a reason key, never a traceback."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.chip_reader import SimulatedChipReader
from kiosk.identity.cccd import CardData
from kiosk.identity.chip import ca, lds, tlv
from kiosk.identity.chip.errors import ANTI_CLONING_REFUSALS, ChipError, ChipRefused
from kiosk.identity.chip.errors import REASONS as CHIP_REASONS
from kiosk.identity.chip.identity import bac_key_for, read_identity
from kiosk.identity.chip.issue import ChipImage, issue_chip
from kiosk.identity.chip.mrz import MrzError, parse_mrz
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.sod import REASONS, SodError, parse_sod, passive_authentication

# CHIP_FUZZ_EXAMPLES=5000 for a deeper run than the suite's.
EXAMPLES = int(os.environ.get("CHIP_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
READS = settings(FUZZ, max_examples=max(20, EXAMPLES // 5))

Mutation = list[tuple[str, int, int, bytes]]


def mutations() -> st.SearchStrategy[Mutation]:
    """What a fuzzer does to a file: each step (kind, position, bit or count, bytes), positions taken
    modulo the file's length when applied."""
    position, small = st.integers(0, 1 << 20), st.integers(0, 64)
    step = st.one_of(
        st.tuples(st.just("flip"), position, st.integers(0, 7), st.just(b"")),
        st.tuples(st.just("truncate"), position, st.just(0), st.just(b"")),
        st.tuples(st.just("overwrite"), position, st.just(0), st.binary(min_size=1, max_size=16)),
        st.tuples(st.just("delete"), position, small, st.just(b"")),
        st.tuples(st.just("insert"), position, st.just(0), st.binary(min_size=1, max_size=16)),
        st.tuples(st.just("random"), st.just(0), st.just(0), st.binary(max_size=512)),
    )
    return st.lists(step, min_size=1, max_size=6)


def mutate(raw: bytes, steps: Mutation) -> bytes:
    data = bytearray(raw)
    for kind, position, amount, chunk in steps:
        at = position % (len(data) or 1)
        if kind == "flip" and data:
            data[at] ^= 1 << amount
        elif kind == "truncate":
            del data[at:]
        elif kind == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif kind == "delete":
            del data[at : at + amount]
        elif kind == "insert":
            data[at:at] = chunk
        elif kind == "random":
            data = bytearray(chunk)
    return bytes(data)


@pytest.fixture(scope="module")
def genuine(citizen: CardData, portrait, pki: ChipPki) -> ChipImage:  # type: ignore[no-untyped-def]
    return issue_chip(citizen, portrait, pki, chip_authentication=True)


def _groups(image: ChipImage) -> dict[int, bytes]:
    return {n: image.files[fid] for n, fid in lds.DG_FIDS.items() if fid in image.files}


def _raises_only(parse: Callable[[bytes], Any], raw: bytes, *errors: type[Exception]) -> None:
    try:
        parse(raw)
    except errors:
        pass


# -- the SOD ---------------------------------------------------------------------------------------------
@FUZZ
@given(steps=mutations())
def test_parse_sod_fails_only_with_sod_error(genuine: ChipImage, steps: Mutation) -> None:
    _raises_only(parse_sod, mutate(genuine.files[lds.FID_SOD], steps), SodError)


@FUZZ
@given(steps=mutations())
def test_passive_authentication_never_raises_nor_passes_other_hashes(
    genuine: ChipImage, pki: ChipPki, steps: Mutation
) -> None:
    sod = genuine.files[lds.FID_SOD]
    mutated = mutate(sod, steps)
    result = passive_authentication(mutated, _groups(genuine), [pki.csca])
    assert result.status in REASONS or result.status == "valid"
    if result.valid:  # only bytes the signature does not cover changed (say, the unsigned SET of digests)
        assert parse_sod(mutated).hashes == parse_sod(sod).hashes
        assert result.signer == "CN=TEST Document Signer VN,O=Smart Kiosk TEST,C=VN"


@FUZZ
@given(number=st.sampled_from([1, 2, 13, 14, 15]), steps=mutations())
def test_an_altered_data_group_never_passes(
    genuine: ChipImage, pki: ChipPki, number: int, steps: Mutation
) -> None:
    groups = _groups(genuine)
    altered = mutate(groups[number], steps)
    result = passive_authentication(genuine.files[lds.FID_SOD], {**groups, number: altered}, [pki.csca])
    assert result.status == ("valid" if altered == groups[number] else "dg_hash_mismatch")


# -- the data groups and the TLV framing ------------------------------------------------------------------
def _dg1(raw: bytes) -> Any:
    return parse_mrz(lds.parse_dg1(raw))


@FUZZ
@given(
    target=st.sampled_from(
        [
            (1, _dg1, (lds.LdsError, MrzError)),
            (2, lds.parse_dg2, (lds.LdsError,)),
            (13, lds.parse_dg13, (lds.LdsError,)),
            (15, lds.parse_dg15, (lds.LdsError,)),
        ]
    ),
    steps=mutations(),
)
def test_data_group_parsers_fail_only_with_their_own_errors(
    genuine: ChipImage,
    target: tuple[int, Callable[[bytes], Any], tuple[type[Exception], ...]],
    steps: Mutation,
) -> None:
    number, parse, errors = target
    _raises_only(parse, mutate(_groups(genuine)[number], steps), *errors)


@FUZZ
@given(steps=mutations())
def test_ef_com_and_dg14_parsers(genuine: ChipImage, steps: Mutation) -> None:
    _raises_only(lds.parse_com, mutate(genuine.files[lds.FID_COM], steps), lds.LdsError)
    ca.offered_key(mutate(_groups(genuine)[14], steps))  # None or a key: never an exception


@FUZZ
@given(source=st.sampled_from([1, 2, 13, 14, 15]), steps=mutations())
def test_tlv_framing_fails_only_with_tlv_error(genuine: ChipImage, source: int, steps: Mutation) -> None:
    raw = mutate(_groups(genuine)[source], steps)
    for parse in (
        tlv.header_size,
        lambda b: list(tlv.iter_tlv(b)),
        tlv.children,
        lambda b: tlv.unwrap(b, 0x61),
    ):
        _raises_only(parse, raw, tlv.TlvError)


# -- the whole read ---------------------------------------------------------------------------------------
def _read(image: ChipImage, citizen: CardData, pki: ChipPki) -> str:
    """The read's outcome as a reason: "" for a trusted chip."""
    try:
        identity = read_identity(SimulatedChipReader(card=image.chip()), bac_key_for(citizen), [pki.csca])
    except (ChipError, ChipRefused) as exc:
        return exc.reason
    return identity.refusal


@READS
@given(file=st.sampled_from(["sod", 1, 2, 13, 14, 15, "com"]), steps=mutations())
def test_a_read_of_an_altered_chip_ends_in_a_reason(
    genuine: ChipImage, citizen: CardData, pki: ChipPki, file: int | str, steps: Mutation
) -> None:
    fid = {"sod": lds.FID_SOD, "com": lds.FID_COM}.get(str(file)) or lds.DG_FIDS[int(file)]
    original = genuine.files[fid]
    altered = mutate(original, steps)
    image = dataclasses.replace(genuine, files={**genuine.files, fid: altered})
    reason = _read(image, citizen, pki)
    assert reason in CHIP_REASONS or reason in REASONS or reason in ("", *ANTI_CLONING_REFUSALS)
    if altered != original and file in (1, 2, 13, 14, 15):
        assert reason != ""  # a data group the SOD covers: never trusted once changed


def test_an_unforeseen_exception_inside_the_read_is_a_reason(
    genuine: ChipImage, citizen: CardData, pki: ChipPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a parser did not foresee (here DG2's parser dividing by zero) is chip_read_failed with
    the exception's type and place, never a traceback."""

    def broken(raw: bytes) -> Any:
        return 1 // 0

    monkeypatch.setattr("kiosk.identity.chip.identity.parse_dg2", broken)
    with pytest.raises(ChipError) as failed:
        read_identity(SimulatedChipReader(card=genuine.chip()), bac_key_for(citizen), [pki.csca])
    assert (
        failed.value.reason == "chip_read_failed"
        and "ZeroDivisionError at test_chip_fuzz.py" in failed.value.detail
    )


# -- kiosk id chip on the simulated profile ---------------------------------------------------------------
@settings(FUZZ, max_examples=12)
@given(steps=mutations())
def test_kiosk_id_chip_gives_a_reason_on_every_fuzzed_sod(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    steps: Mutation,
) -> None:
    from kiosk.cli import main as kiosk_main
    from kiosk.identity.chip import issue

    real = issue.issue_chip

    def fuzzed_chip(*args: Any, **kwargs: Any) -> ChipImage:
        image = real(*args, **kwargs)
        return dataclasses.replace(
            image, files={**image.files, lds.FID_SOD: mutate(image.files[lds.FID_SOD], steps)}
        )

    monkeypatch.setattr(issue, "issue_chip", fuzzed_chip)
    folder = tmp_path_factory.mktemp("fuzz")
    config = folder / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{folder / "data"}"\n', encoding="utf-8")
    code = kiosk_main(["id", "chip", "--json", "--config", str(config)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    payload = json.loads(out)
    assert code in (0, 1, 2) and (payload["reason"] is None) == (code == 0)
    if code:
        assert payload["ok"] is False and (payload["reason"] in REASONS or payload["reason"] in CHIP_REASONS)
