"""BER-TLV as the LDS and secure messaging use it: multi-byte tags, short and long lengths.

Only the framing is here; what a tag means belongs to the module that reads it.
"""

from __future__ import annotations

from collections.abc import Iterator


class TlvError(ValueError):
    """The bytes are not well-formed BER-TLV."""


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, value: bytes) -> bytes:
    """One TLV; ``tag`` is the tag's bytes read as a big-endian number (0x5F1F, 0x7F61...)."""
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """The tag at ``offset`` and the offset after it."""
    if offset >= len(data):
        raise TlvError("truncated tag")
    first = data[offset]
    tag = first
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= len(data):
                raise TlvError("truncated tag")
            byte = data[offset]
            tag = (tag << 8) | byte
            offset += 1
            if not byte & 0x80:
                break
    return tag, offset


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """The length at ``offset`` and the offset after it."""
    if offset >= len(data):
        raise TlvError("truncated length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    count = first & 0x7F
    if count == 0 or count > 4 or offset + count > len(data):
        raise TlvError("bad length")
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def header_size(data: bytes) -> tuple[int, int]:
    """(tag+length size, value length) of the TLV that starts ``data``: how much of a file to read."""
    _, offset = read_tag(data, 0)
    length, offset = read_length(data, offset)
    return offset, length


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (tag, value) pairs of a concatenation of TLVs."""
    offset = 0
    while offset < len(data):
        if data[offset] in (0x00, 0xFF):  # padding between objects
            offset += 1
            continue
        tag, offset = read_tag(data, offset)
        length, offset = read_length(data, offset)
        if offset + length > len(data):
            raise TlvError(f"value of tag {tag:X} runs past the end")
        yield tag, data[offset : offset + length]
        offset += length


def unwrap(data: bytes, tag: int) -> bytes:
    """The value of the single TLV ``tag`` that ``data`` must be (trailing bytes ignored, as on a file)."""
    found, offset = read_tag(data, 0)
    if found != tag:
        raise TlvError(f"expected tag {tag:X}, found {found:X}")
    length, offset = read_length(data, offset)
    if offset + length > len(data):
        raise TlvError(f"value of tag {tag:X} runs past the end")
    return data[offset : offset + length]


def children(data: bytes) -> dict[int, bytes]:
    """The first value of each tag directly inside ``data``."""
    out: dict[int, bytes] = {}
    for tag, value in iter_tlv(data):
        out.setdefault(tag, value)
    return out
