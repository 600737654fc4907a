"""What each page draws, as one digest; and the QR seal's form XObject, which the digest leaves out.

A page's digest is SHA-256 over a canonical serialisation of everything that decides what the page shows:
its boxes, rotation and group, its content streams, its resources followed recursively (every XObject,
font, font file, pattern, shading, graphics state, colour space), and its annotations other than signature
widgets (those are signatures, checked as such). Inherited page attributes are taken from the page tree.
Streams count by their bytes as stored and their dictionaries, so nothing is decoded and no decoder
difference can change a digest.

One object is left out: the QR seal's form XObject (``QR_RESOURCE`` in every page's resources). It draws
the seal, and the seal holds the digest, so it cannot be part of it. The verifier instead rebuilds that
form's content from the seal text (``qr_form_content``) and requires it byte for byte.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import segno

from signing._pyhanko import pdf_objects
from signing.seal import CONTENT_DIGEST_BYTES, qr_segments

if TYPE_CHECKING:
    from pyhanko.pdf_utils import generic

QR_FORM = "KioskSealQR"  # reportlab's form name
QR_RESOURCE = "/FormXob." + QR_FORM  # the name under which pages draw it (reportlab's xObjectName)
QR_QUIET = 4  # modules of quiet zone the QR standard asks for
MAX_OBJECTS = 50_000
MAX_DEPTH = 64
_RENDERING_KEYS = (
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Rotate",
    "/UserUnit",
    "/Group",
    "/Contents",
    "/Resources",
)
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_SKIP_KEYS = {"/Parent", "/P", "/Length"}


class ContentError(ValueError):
    """The page tree or a page's objects are malformed (a cycle, too deep, too many objects)."""


def pages_with_inheritance(root: generic.DictionaryObject) -> Iterator[dict[str, Any]]:
    """Each page as a plain dict of its own keys plus the inheritable ones from its ancestors."""

    def walk(
        node: Any, inherited: dict[str, Any], depth: int, above: tuple[int, ...]
    ) -> Iterator[dict[str, Any]]:
        if depth > 32 or id(node) in above:
            raise ContentError("the page tree is too deep or has a cycle")
        above = (*above, id(node))
        here = dict(inherited)
        for key in _INHERITED:
            if key in node:
                here[key] = node.raw_get(key)
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node["/Kids"]:
                yield from walk(kid.get_object(), here, depth + 1, above)
        else:
            page = {key: node.raw_get(key) for key in node}
            for key in _INHERITED:
                if key not in page and key in here:
                    page[key] = here[key]
            page["__node__"] = node
            yield page

    yield from walk(root["/Pages"].get_object(), {}, 0, ())


class _Canon:
    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.objects = 0
        self.pdf = pdf_objects()

    def put(self, tag: bytes, data: bytes = b"") -> None:
        self.h.update(tag + len(data).to_bytes(8, "big") + data)

    def value(self, obj: Any, stack: tuple[Any, ...] = (), depth: int = 0, *, qr: bool = False) -> None:
        if depth > MAX_DEPTH:
            raise ContentError("the page's objects nest too deeply")
        self.objects += 1
        if self.objects > MAX_OBJECTS:
            raise ContentError("the page has too many objects")
        pdf = self.pdf
        if isinstance(obj, pdf.IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in stack:
                self.put(b"cycle")
                return
            stack = (*stack, ref)
            obj = obj.get_object()
        if isinstance(obj, pdf.StreamObject):
            self.put(b"stream")
            self._dict(obj, stack, depth, skip=_SKIP_KEYS | ({"/Filter", "/DecodeParms"} if qr else set()))
            if qr:
                self.put(b"seal-qr")
            else:
                self.put(b"data", hashlib.sha256(obj.encoded_data).digest())
        elif isinstance(obj, pdf.DictionaryObject):
            self.put(b"dict")
            self._dict(obj, stack, depth, skip=_SKIP_KEYS)
        elif isinstance(obj, pdf.ArrayObject):
            self.put(b"array", str(len(obj)).encode())
            for item in obj:
                self.value(item, stack, depth + 1)
        elif isinstance(obj, pdf.NameObject):
            self.put(b"name", str(obj).encode("utf-8", "surrogateescape"))
        elif isinstance(obj, pdf.TextStringObject | pdf.ByteStringObject):
            self.put(b"string", obj.original_bytes)
        elif isinstance(obj, pdf.BooleanObject):
            self.put(b"bool", b"1" if obj else b"0")
        elif isinstance(obj, pdf.NullObject) or obj is None:
            self.put(b"null")
        elif isinstance(obj, pdf.NumberObject | pdf.FloatObject | int | float):
            self.put(b"number", repr(float(obj)).encode())
        else:
            self.put(b"other", type(obj).__name__.encode())

    def _dict(
        self, obj: generic.DictionaryObject, stack: tuple[Any, ...], depth: int, skip: set[str]
    ) -> None:
        keys = sorted(k for k in obj if k not in skip)
        self.put(b"keys", str(len(keys)).encode())
        for key in keys:
            self.put(b"key", str(key).encode("utf-8", "surrogateescape"))
            self.value(obj.raw_get(key), stack, depth + 1)


def is_signature_widget(annot: generic.DictionaryObject) -> bool:
    if annot.get("/Subtype") != "/Widget":
        return False
    node: Any = annot
    for _ in range(8):
        if node.get("/FT") == "/Sig":
            return True
        parent = node.get("/Parent")
        if parent is None:
            return False
        node = parent.get_object()
    return False


def qr_form_ref(page: dict[str, Any]) -> Any:
    """The page's QR seal form as stored (an indirect reference), or None."""
    resources = page.get("/Resources")
    if resources is None:
        return None
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return None
    xobjects = xobjects.get_object()
    return xobjects.raw_get(QR_RESOURCE) if QR_RESOURCE in xobjects else None


def page_digest(page: dict[str, Any]) -> bytes:
    canon = _Canon()
    canon.put(b"VNC1-PAGE")
    for key in _RENDERING_KEYS:
        canon.put(b"key", key.encode())
        value = page.get(key)
        if key == "/Resources" and value is not None:
            _resources(canon, value)
        else:
            canon.value(value)
    annots = page.get("/Annots")
    pdf = canon.pdf
    drawn = []
    if annots is not None:
        for ref in annots.get_object():
            annot = ref.get_object()
            if not (isinstance(annot, pdf.DictionaryObject) and is_signature_widget(annot)):
                drawn.append(ref)
    canon.put(b"annots", str(len(drawn)).encode())
    for ref in drawn:
        canon.value(ref)
    return canon.h.digest()


def _resources(canon: _Canon, value: Any) -> None:
    resources = value.get_object()
    if not isinstance(resources, canon.pdf.DictionaryObject):
        canon.value(resources)
        return
    keys = sorted(resources)
    canon.put(b"dict")
    canon.put(b"keys", str(len(keys)).encode())
    for key in keys:
        canon.put(b"key", str(key).encode("utf-8", "surrogateescape"))
        if key != "/XObject":
            canon.value(resources.raw_get(key), (), 1)
            continue
        xobjects = resources.raw_get(key).get_object()
        names = sorted(xobjects)
        canon.put(b"dict")
        canon.put(b"keys", str(len(names)).encode())
        for name in names:
            canon.put(b"key", str(name).encode("utf-8", "surrogateescape"))
            canon.value(xobjects.raw_get(name), (), 2, qr=(name == QR_RESOURCE))


def page_digests(root: generic.DictionaryObject) -> list[bytes]:
    """The digest of every page, in page order."""
    return [page_digest(page) for page in pages_with_inheritance(root)]


def content_digest(digests: list[bytes]) -> bytes:
    """What the seal keeps: one digest over every page's digest, in order."""
    h = hashlib.sha256(b"VNC1-PAGES " + str(len(digests)).encode() + b"\n")
    for digest in digests:
        h.update(digest)
    return h.digest()[:CONTENT_DIGEST_BYTES]


@lru_cache(maxsize=16)
def make_qr(seal: str, version: int | None = None) -> segno.QRCode:
    """The QR of the seal: error correction M, at ``version`` when given (the layout fixes the size).

    Cached: the signer and the verifier ask for the same symbol more than once, and segno's mask choice
    costs tens of milliseconds."""
    segments: Any = qr_segments(seal)  # segno takes a list of (text, mode) segments; its stub says str
    return segno.make_qr(segments, error="m", version=version, boost_error=False)


def qr_version_for(seal: str) -> int:
    """The smallest QR version that holds ``seal`` (error correction M), without choosing a mask."""
    segments: Any = qr_segments(seal)  # segno takes a list of (text, mode) segments; its stub says str
    return int(segno.make_qr(segments, error="m", boost_error=False, mask=0).version)


def qr_form_content(qr: segno.QRCode) -> bytes:
    """The content stream of the QR seal's form, in module units with the origin at the symbol's
    bottom-left corner: a white quiet zone, then each run of dark modules as a rectangle."""
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    n = len(matrix)
    out = [f"1 g {-QR_QUIET} {-QR_QUIET} {n + 2 * QR_QUIET} {n + 2 * QR_QUIET} re f 0 g"]
    for r, row in enumerate(matrix):
        start = None
        for col in range(n + 1):
            dark = col < n and bool(row[col])
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                out.append(f"{start} {n - 1 - r} {col - start} 1 re")
                start = None
    out.append("f")
    return "\n".join(out).encode("ascii") + b"\n"


def bounded_data(stream: generic.StreamObject, limit: int = 1 << 20) -> bytes:
    """A stream's decoded bytes, refusing more than ``limit`` (a decompression bomb); only no filter or a
    single /FlateDecode are read, as the kiosk writes them."""
    encoded = stream.encoded_data
    filters = stream.get("/Filter")
    if isinstance(filters, pdf_objects().ArrayObject):
        filters = filters[0] if len(filters) == 1 else None
        if filters is None:
            raise ContentError("a stream with several filters")
    if filters is None:
        if len(encoded) > limit:
            raise ContentError("a stream larger than allowed")
        return encoded
    if filters != "/FlateDecode" or stream.get("/DecodeParms") is not None:
        raise ContentError(f"a stream with the filter {filters}")
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(encoded, limit)
    except zlib.error as exc:
        raise ContentError("a damaged stream") from exc
    if inflater.unconsumed_tail:
        raise ContentError("a stream that inflates beyond the limit")
    return data


def qr_modules(version: int) -> int:
    return 17 + 4 * version
