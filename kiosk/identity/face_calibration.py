"""Calibrating a face model: the threshold for a target false-accept rate on card/live pairs.

A pairs file (JSON) lists card/live image pairs, each known to be the same person or not:

    {"pairs": [
        {"card": "cards/a.jpg", "live": "live/a_1.jpg", "same": true,  "group": "east_asian"},
        {"card": "cards/a.jpg", "live": "live/b_1.jpg", "same": false, "group": "east_asian"},
        {"card": "cards/c.jpg", "live": ["live/c_1.jpg", "live/c_2.jpg", "live/c_3.jpg"], "same": true}
    ]}

(a bare list of pairs is accepted too; paths are relative to the pairs file). ``card`` is a card front or
a portrait photo (its largest face is used); ``live`` is one camera frame, or a visit's frames. One
frame scores its distance to the card; a visit's frames score as the kiosk decides a visit, k of n
(``min_matching_frames``): the k-th smallest distance, so that "score <= threshold" is exactly "k frames
match" (frames without a usable face count as not matching). ``group`` (default "all") is the
demographic group the pair's impostor or genuine rate is reported for.

The threshold is the largest one whose false-accept rate over all impostor pairs is at most the target:
midway between the last impostor distance allowed to match (floor(target x impostors) of them) and the
next one. A target FAR is only shown by enough impostor pairs: with n impostors, FAR resolves to 1/n,
and at least 3/target are needed to claim FAR <= target with 95 % confidence (rule of three).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import BadInputError
from kiosk.identity.face import FaceVerifier, FrameStatus

DEFAULT_GROUP = "all"
MAX_PAIRS = 100_000
MAX_FRAMES_PER_PAIR = 30


@dataclass(frozen=True)
class CalibrationPair:
    card: Path
    live: tuple[Path, ...]
    same: bool
    group: str = DEFAULT_GROUP


@dataclass(frozen=True)
class ScoredPair:
    pair: CalibrationPair
    score: float  # distance (one frame) or the k-th smallest distance (a visit); inf: could not match


@dataclass(frozen=True)
class GroupRates:
    genuine: int
    impostor: int
    false_accepts: int
    false_rejects: int

    @property
    def far(self) -> float | None:
        return self.false_accepts / self.impostor if self.impostor else None

    @property
    def frr(self) -> float | None:
        return self.false_rejects / self.genuine if self.genuine else None

    def to_json(self) -> dict[str, Any]:
        return {
            "genuine_pairs": self.genuine,
            "impostor_pairs": self.impostor,
            "false_accepts": self.false_accepts,
            "false_rejects": self.false_rejects,
            "far": None if self.far is None else round(self.far, 6),
            "frr": None if self.frr is None else round(self.frr, 6),
        }


@dataclass(frozen=True)
class CalibrationReport:
    model: str
    metric: str
    threshold_key: str
    target_far: float
    threshold: float
    overall: GroupRates
    groups: dict[str, GroupRates] = field(default_factory=dict)
    per_visit_pairs: int = 0

    @property
    def impostors_needed(self) -> int:
        """Impostor pairs needed to show FAR <= target with 95 % confidence when none is accepted."""
        return math.ceil(3 / self.target_far)

    @property
    def enough_impostors(self) -> bool:
        return self.overall.impostor >= self.impostors_needed

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "metric": self.metric,
            "target_far": self.target_far,
            "threshold": self.threshold,
            "config_key": self.threshold_key,
            "pairs": self.overall.genuine + self.overall.impostor,
            "visit_pairs": self.per_visit_pairs,
            "overall": self.overall.to_json(),
            "groups": {name: rates.to_json() for name, rates in sorted(self.groups.items())},
            "impostor_pairs_needed": self.impostors_needed,
            "enough_impostors": self.enough_impostors,
        }


def _bad(message: str, subject: str) -> BadInputError:
    return BadInputError(message, subject=subject)


def parse_pairs(data: Any, base: Path, source: str) -> list[CalibrationPair]:
    """The pairs of a decoded pairs file; BadInputError naming the pair and key otherwise."""
    items = data.get("pairs") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise _bad('expected a JSON list of pairs, or an object with a "pairs" list', source)
    if not items:
        raise _bad("the pairs file lists no pairs", source)
    if len(items) > MAX_PAIRS:
        raise _bad(f"the pairs file lists {len(items)} pairs, more than {MAX_PAIRS}", source)
    pairs = []
    for index, item in enumerate(items):
        where = f"pair {index + 1}"
        if not isinstance(item, dict):
            raise _bad(f"{where}: expected an object with card, live and same", source)
        unknown = set(item) - {"card", "live", "same", "group"}
        if unknown:
            raise _bad(f"{where}: unknown key {sorted(unknown)[0]!r} (card, live, same, group)", source)
        card, live, same = item.get("card"), item.get("live"), item.get("same")
        if not isinstance(card, str) or not card:
            raise _bad(f"{where}: 'card' must be an image path", source)
        lives = [live] if isinstance(live, str) else live
        if not isinstance(lives, list) or not lives or not all(isinstance(p, str) and p for p in lives):
            raise _bad(f"{where}: 'live' must be an image path or a list of them", source)
        if len(lives) > MAX_FRAMES_PER_PAIR:
            raise _bad(f"{where}: more than {MAX_FRAMES_PER_PAIR} live frames", source)
        if not isinstance(same, bool):
            raise _bad(f"{where}: 'same' must be true or false", source)
        group = item.get("group", DEFAULT_GROUP)
        if not isinstance(group, str) or not group.strip():
            raise _bad(f"{where}: 'group' must be a non-empty string", source)
        pairs.append(
            CalibrationPair(
                card=base / card,
                live=tuple(base / p for p in lives),
                same=same,
                group=group.strip(),
            )
        )
    if not any(p.same for p in pairs) or all(p.same for p in pairs):
        raise _bad("the pairs file needs both genuine (same: true) and impostor (same: false) pairs", source)
    return pairs


def score_pairs(
    verifier: FaceVerifier,
    pairs: Sequence[CalibrationPair],
    load_image: Callable[[Path], np.ndarray],
) -> list[ScoredPair]:
    """Each pair's score with the verifier's matcher. A card or single live frame without one usable
    face is a BadInputError naming the file; a visit's frame without one is a frame that does not match."""
    matcher = verifier.matcher
    cards: dict[Path, np.ndarray] = {}
    lives: dict[Path, np.ndarray | None] = {}
    try:
        scored = []
        for pair in pairs:
            if pair.card not in cards:
                image = load_image(pair.card)
                try:
                    cards[pair.card] = verifier.card_encoding(image)
                except BadInputError as exc:
                    raise _bad(f"no usable face in the card image: {exc}", str(pair.card)) from None
                finally:
                    image.fill(0)
            distances = []
            for path in pair.live:
                if path not in lives:
                    frame = load_image(path)
                    try:
                        face = verifier.analyse_frame(frame)
                    finally:
                        frame.fill(0)
                    if face.status is not FrameStatus.ok and len(pair.live) == 1:
                        raise _bad(f"no usable face in the live image ({face.status.value})", str(path))
                    lives[path] = face.encoding
                encoding = lives[path]
                if encoding is not None:
                    distances.append(matcher.distance(cards[pair.card], encoding))
            needed = min(verifier.config.min_matching_frames, len(pair.live))
            distances.sort()
            score = distances[needed - 1] if len(distances) >= needed else math.inf
            scored.append(ScoredPair(pair, score))
        return scored
    finally:
        for encoding in [*cards.values(), *lives.values()]:
            if encoding is not None:
                encoding.fill(0.0)


def threshold_for_far(scored: Sequence[ScoredPair], target_far: float) -> float:
    """The largest threshold whose false-accept rate over the impostor pairs is at most `target_far`."""
    impostor = sorted(s.score for s in scored if not s.pair.same)
    allowed = math.floor(target_far * len(impostor) + 1e-9)
    # The first impostor score that must stay above the threshold (none when all may match).
    ceiling = math.inf if allowed >= len(impostor) else impostor[allowed]
    below = [s.score for s in scored if s.score < ceiling]
    if not below:
        return ceiling / 2 if math.isfinite(ceiling) else 1.0
    floor_value = max(below)
    if not math.isfinite(ceiling):
        return floor_value
    threshold = (floor_value + ceiling) / 2
    # Rounded down to 4 decimals (what the config gets) unless that drops below the last score allowed.
    rounded = math.floor(threshold * 10_000) / 10_000
    return rounded if rounded >= floor_value else threshold


def rates(scored: Sequence[ScoredPair], threshold: float) -> GroupRates:
    genuine = [s for s in scored if s.pair.same]
    impostor = [s for s in scored if not s.pair.same]
    return GroupRates(
        genuine=len(genuine),
        impostor=len(impostor),
        false_accepts=sum(s.score <= threshold for s in impostor),
        false_rejects=sum(s.score > threshold for s in genuine),
    )


def calibrate(verifier: FaceVerifier, scored: Sequence[ScoredPair], target_far: float) -> CalibrationReport:
    threshold = threshold_for_far(scored, target_far)
    groups = sorted({s.pair.group for s in scored})
    return CalibrationReport(
        model=verifier.matcher.name,
        metric=verifier.matcher.metric,
        threshold_key=verifier.matcher.threshold_key,
        target_far=target_far,
        threshold=threshold,
        overall=rates(scored, threshold),
        groups={g: rates([s for s in scored if s.pair.group == g], threshold) for g in groups},
        per_visit_pairs=sum(len(s.pair.live) > 1 for s in scored),
    )
