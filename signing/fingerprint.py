"""A page's content fingerprint: a few hashed key words that a re-read of the paper can find again.

A checker holds a printed page, not the PDF, so the seal cannot bind the paper by a byte hash. It keeps,
for each page, up to ``KEY_WORDS`` 16-bit hashes of the page's key words instead:

* words are normalised the way OCR noise is forgiven: diacritics and case dropped, only letters and
  digits kept, and in words that are mostly digits the letters OCR confuses with digits read as digits;
* key words are the words most likely to tell one document from another of the same kind: first the
  numbers and dates (at least 3 digits), then the long words (at least 5 letters); within each tier the
  choice is by hash, so it is fixed but not guessable from the text;
* a page read again (a 150 dpi scan, a phone photo put upright) matches when at least half of its key
  words (and at least two) are among the words read. OCR loses a word here and there; it does not find
  four 16-bit hashes of another page's numbers by chance (about 3e-8 for a page of 300 words).

A page with no key words (a photo, a blank page) has an empty fingerprint; the verifier then says that
only the seal was checked. A page read with more than ``MAX_PAGE_TOKENS`` distinct words never matches (a
page flooded with numbers would hit 16-bit hashes by chance).

The page that shows the holder's name, the document's number or its date keeps those words first (all but
two of its key words), and a re-read page must show every one of them: a genuine page with one of them
changed does not match, though the other key words do.

What this does not stop: someone who prints, on forged paper, words chosen so that their hashes match (the
hashes are public and short). That is why the verdict also prints the holder's name, the document's
number and date for the person checking to compare with the paper.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable

KEY_WORDS = 8
HASH_BYTES = 2
# More distinct words than a dense A4 page holds: a page flooded with text to hit 16-bit hashes by chance.
MAX_PAGE_TOKENS = 2500
_KEEP = re.compile(r"[^a-z0-9]+")
_AS_DIGIT = str.maketrans({"o": "0", "d": "0", "q": "0", "i": "1", "l": "1", "z": "2", "s": "5", "b": "8"})


def key_words_for(pages: int) -> int:
    """How many key words a page keeps, so that the seal of a long copy still fits a legible QR."""
    if pages <= 5:
        return KEY_WORDS
    if pages <= 10:
        return 5
    return 3  # 20 pages: 120 bytes; the seal also holds the document's fields in full (issue 22)


def normalise(word: str) -> str:
    """The form of a word that a re-read of the page is compared in ("" when it is not worth keeping)."""
    folded = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    token = _KEEP.sub("", folded)
    digits = sum(ch.isdigit() for ch in token)
    if digits and digits * 2 >= len(token):
        token = token.translate(_AS_DIGIT)
    return token


def _tier(token: str) -> int | None:
    digits = sum(ch.isdigit() for ch in token)
    if digits >= 3:
        return 0
    if digits == 0 and len(token) >= 5:
        return 1
    return None


def word_hash(token: str) -> bytes:
    return hashlib.sha256(b"VNC1-WORD " + token.encode("ascii")).digest()[:HASH_BYTES]


def tokens(words: Iterable[str]) -> set[str]:
    """The normalised tokens of some OCR words (a word may hold several, split on spaces)."""
    found: set[str] = set()
    for word in words:
        for part in word.split():
            token = normalise(part)
            if token:
                found.add(token)
    return found


def _joined_tokens(words: list[str]) -> set[str]:
    """Tokens of two to four adjacent words read as one ("125/ 2019" split by OCR is still 1252019, and a
    name is one token)."""
    parts = [normalise(p) for w in words for p in w.split()]
    parts = [p for p in parts if p]
    found = set()
    for size in (2, 3, 4):
        for i in range(len(parts) - size + 1):
            found.add(normalise("".join(parts[i : i + size])))
    return found


def identity_tokens(holder_name: str = "", doc_number: str = "", doc_date: str = "") -> list[str]:
    """The tokens of what a forger changes first, in the order they are kept: the document's number, its
    date (as ``dd/mm/yyyy`` reads, from the ISO date), the holder's whole name as one token, then its words
    from the given name back to the family name."""
    found = [normalise(doc_number.replace(" ", ""))]
    parts = doc_date.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        found.append(normalise(f"{parts[2]}/{parts[1]}/{parts[0]}"))
    names = [normalise(w) for w in holder_name.split()]
    found += ["".join(names), *reversed(names)]  # the whole name, then the given name first
    return [t for i, t in enumerate(found) if t and len(t) >= 2 and t not in found[:i]]


def page_fingerprint(words: Iterable[str], count: int = KEY_WORDS, identity: Iterable[str] = ()) -> bytes:
    """The fingerprint of a page from its OCR words: the hashes of its key words, concatenated.

    ``identity`` (``identity_tokens``) found on the page come first, all but two of the key words: the page
    that shows the holder's name, the number or the date then keeps them, and ``matches`` requires every one
    of them on a re-read page, so that a genuine page with its name or number changed does not match."""
    words = list(words)
    present = tokens(words)
    visible = present | _joined_tokens(words)
    chosen: list[bytes] = []
    for token in identity:
        if token in visible and word_hash(token) not in chosen and len(chosen) < max(1, count - 2):
            chosen.append(word_hash(token))
    candidates = []
    for token in present:
        tier = _tier(token)
        if tier is not None:
            candidates.append((tier, word_hash(token), token))
    candidates.sort()
    for _rank, digest, _token in candidates:
        if len(chosen) >= count:
            break
        if digest not in chosen:
            chosen.append(digest)
    return b"".join(chosen[:count])


# "337/KS" read as "337IKS" on a low-resolution photo: the slash between a number and its register's capitals
# read as I, l or |. On the reading side only, such a word also counts as read with the slash.
_SLASH_MISREAD = re.compile(r"(\d{1,6})[Il|]([A-ZĐ]{1,6})")


def _read_tokens(words: list[str]) -> set[str]:
    """The tokens a re-read page shows: its words', and a number whose slash was read as a letter."""
    found = tokens(words)
    for word in words:
        for part in word.split():
            if m := _SLASH_MISREAD.fullmatch(part.strip(".,;:")):
                found.add(normalise(m.group(1) + "/" + m.group(2)))
    return found


def split_fingerprint(fingerprint: bytes) -> list[bytes]:
    return [fingerprint[i : i + HASH_BYTES] for i in range(0, len(fingerprint) - HASH_BYTES + 1, HASH_BYTES)]


def matched_key_words(fingerprint: bytes, words: Iterable[str]) -> tuple[int, int]:
    """(key words of ``fingerprint`` found among ``words``, key words in the fingerprint)."""
    keys = split_fingerprint(fingerprint)
    read = {word_hash(token) for token in _read_tokens(list(words))}
    return sum(1 for key in keys if key in read), len(keys)


def missing_identity(fingerprint: bytes, words: Iterable[str], identity: Iterable[str]) -> int:
    """How many of the identity words that the page's fingerprint keeps were not read on the page."""
    words = list(words)
    keys = set(split_fingerprint(fingerprint))
    required = {word_hash(t) for t in identity} & keys
    if not required:
        return 0
    read = {word_hash(t) for t in _read_tokens(words) | _joined_tokens(words)}
    return len(required - read)


def matches(fingerprint: bytes, words: Iterable[str], identity: Iterable[str] = ()) -> bool:
    words = list(words)
    if len(tokens(words)) > MAX_PAGE_TOKENS:
        return False
    found, total = matched_key_words(fingerprint, words)
    if not (total > 0 and found >= max(2, math.ceil(total / 2))):
        return False
    return missing_identity(fingerprint, words, identity) == 0
