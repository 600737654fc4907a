"""Affine point arithmetic on the NIST P-256 curve, for PACE's generic mapping (G' = s*G + H), which
needs a point addition and a scalar multiplication on a generator other than the standard one:
`cryptography` offers neither. Everything else (key pairs, ECDH) goes through `cryptography`.

Not constant time: the scalars here are one-session ephemeral values of a kiosk-side protocol step.
"""

from __future__ import annotations

from dataclasses import dataclass

# NIST P-256 (secp256r1): BSI TR-03110 standardized domain parameters, ID 12.
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
SIZE = 32


@dataclass(frozen=True)
class Point:
    x: int
    y: int

    def encode(self) -> bytes:
        """Uncompressed: 04 || x || y."""
        return b"\x04" + self.x.to_bytes(SIZE, "big") + self.y.to_bytes(SIZE, "big")


G = Point(GX, GY)


def on_curve(point: Point) -> bool:
    return (
        0 <= point.x < P and 0 <= point.y < P and (point.y * point.y - point.x**3 - A * point.x - B) % P == 0
    )


def decode(data: bytes) -> Point:
    """An uncompressed point; ValueError unless it is on the curve (an invalid-curve point is refused)."""
    if len(data) != 1 + 2 * SIZE or data[0] != 0x04:
        raise ValueError("not an uncompressed P-256 point")
    point = Point(int.from_bytes(data[1 : 1 + SIZE], "big"), int.from_bytes(data[1 + SIZE :], "big"))
    if not on_curve(point):
        raise ValueError("the point is not on P-256")
    return point


def add(p: Point | None, q: Point | None) -> Point | None:
    """p + q (None is the point at infinity)."""
    if p is None:
        return q
    if q is None:
        return p
    if p.x == q.x:
        if (p.y + q.y) % P == 0:
            return None
        slope = (3 * p.x * p.x + A) * pow(2 * p.y, -1, P) % P
    else:
        slope = (q.y - p.y) * pow(q.x - p.x, -1, P) % P
    x = (slope * slope - p.x - q.x) % P
    return Point(x, (slope * (p.x - x) - p.y) % P)


def multiply(k: int, point: Point) -> Point | None:
    """k * point, by double-and-add."""
    result: Point | None = None
    addend: Point | None = point
    k %= N
    while k:
        if k & 1:
            result = add(result, addend)
        addend = add(addend, addend)
        k >>= 1
    return result
