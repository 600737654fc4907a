"""The backend's fast check of an upload: is this file a kiosk's fresh certified copy, sealed as it says?

``verify_upload(data, trust)`` runs the checks of ``signing.verify.verify_pdf`` that matter for a copy as the
kiosk writes it, without the work that cannot change the verdict for one:

* an upload must be a fresh copy: exactly one signature, the kiosk's certification signature (DocMDP
  P=2), whose /ByteRange covers the entire file (its end is the file's end, and nothing but its own
  /Contents is left out). Anything else (an officer's approval, DSS data, a document timestamp, any
  update after signing) is refused with ``upload_not_fresh``: no difference analysis is needed, since no
  byte is left unsigned;
* the structure checks are ``signing.structure``'s (byte ranges, /Contents in the gap, stray signature
  dictionaries, trailing data), on the same bytes;
* the signature dictionary is parsed once, with its /Contents hex string (kilobytes that pyHanko's lexer
  reads a character at a time) swapped for a random marker: the parse must give back exactly that
  marker as /Contents, so the swapped bytes are the /Contents value and nothing else; the real value is
  then decoded from the file's bytes;
* the CMS checks are pyHanko's (``generic_cms``): one signer, the signer's certificate among those
  embedded, the ESS signing-certificate attribute, the algorithm policy, the message digest over the
  byte ranges and the signature value; a signature carrying any unsigned attribute (a signature
  timestamp) goes to the full ``verify_pdf``;
* the certificate path (pyHanko's validator with the non-repudiation key usage, and
  ``TrustStore.chain_problem``) is validated once per signer certificate, embedded certificates and
  trust store, and reused for a signing time at which every certificate involved is inside its
  validity period (with no revocation data and no fetching, nothing else in that validation depends on
  the time);
* the seal binding (seal signature and key, code, page digests, the QR drawn on every page) is
  ``signing.verify``'s own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing._pyhanko import (
    cms_general,
    default_algorithm_usage_policy,
    generic_cms_validation,
    mdp_perm_class,
    pdf_embedded_validation,
    pdf_objects,
    pdf_reader_class,
    pdf_signature_status_class,
    validation_context_class,
)
from signing.model import Verification
from signing.pades import FIELD_NAME
from signing.structure import (
    SignatureDict,
    check_signature_dict,
    stray_signature_dicts,
    trailing_data,
)
from signing.trust import TrustStore
from signing.verify import MAX_PDF_BYTES, _fail, _verify_seal_in_pdf, verify_pdf

if TYPE_CHECKING:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

log = logging.getLogger(__name__)

SUBFILTERS = ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached")
_HEX_CONTENTS = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]*)>")
PATH_CACHE_SIZE = 1024


def _not_fresh(reason: str) -> Verification:
    return _fail("upload_not_fresh", f"an upload must be the kiosk's fresh certified copy: {reason}")


# --- the path validation cache ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    ok: bool
    problem: str | None  # why not, when not ok
    not_before: dt.datetime
    not_after: dt.datetime


class _PathCache:
    """Validated signer paths by (signer certificate, embedded certificates, trust store)."""

    def __init__(self, size: int = PATH_CACHE_SIZE) -> None:
        self._entries: OrderedDict[tuple[bytes, ...], _Path] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size
        self.hits = self.misses = 0

    def get(self, key: tuple[bytes, ...], moment: dt.datetime) -> _Path | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not entry.not_before <= moment <= entry.not_after:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[bytes, ...], entry: _Path) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


PATHS = _PathCache()
_ESS_OK: OrderedDict[tuple[bytes, bytes], bool] = OrderedDict()
_ESS_LOCK = threading.Lock()


def _trust_key(trust: TrustStore) -> bytes:
    h = hashlib.sha256(b"roots")
    for cert in trust.roots:
        h.update(cert.fingerprint(hashes.SHA256()))
    h.update(b"known")
    for kid in sorted(trust.known):
        h.update(kid + trust.known[kid].fingerprint(hashes.SHA256()))
    return h.digest()


def _window(certs: list[x509.Certificate]) -> tuple[dt.datetime, dt.datetime]:
    return max(c.not_valid_before_utc for c in certs), min(c.not_valid_after_utc for c in certs)


def _validate_path(
    cert: asn1_x509.Certificate,
    others: list[Any],
    signer: x509.Certificate,
    trust: TrustStore,
    moment: dt.datetime,
) -> _Path:
    """pyHanko's path validation (key usage as for a PDF signature) and the trust store's own chain check."""
    context = validation_context_class()(
        trust_roots=trust.asn1_roots(), moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )
    context.certificate_registry.register_multiple(others)
    result = asyncio.run(
        generic_cms_validation().validate_cert_usage(
            cert,
            context,
            key_usage_settings=pdf_signature_status_class().default_usage_constraints(None),
            paths=context.path_builder.async_build_paths_lazy(cert),
        )
    )
    involved = [signer, *trust.roots, *trust.known.values()]
    path = result.success_result
    if path is not None:
        involved += [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    low, high = _window(involved)
    problem = trust.chain_problem(signer, moment)  # first, as verify_pdf: it names an expiry
    if problem is not None:
        return _Path(False, problem, low, high)
    if result.error_subindic is not None or path is None:
        return _Path(False, "the signer's certificate does not chain to a trusted root", low, high)
    return _Path(True, None, low, high)


def _ess_matches(cert: asn1_x509.Certificate, signed_attrs: Any) -> bool:
    attr = generic_cms_validation().get_signing_cert_attr(signed_attrs)
    if attr is None:
        return True
    certid = attr["certs"][0]
    key = (hashlib.sha256(cert.dump()).digest(), certid.dump())
    with _ESS_LOCK:
        known = _ESS_OK.get(key)
    if known is None:
        known = bool(cms_general().check_ess_certid(cert, certid))
        with _ESS_LOCK:
            _ESS_OK[key] = known
            while len(_ESS_OK) > PATH_CACHE_SIZE:
                _ESS_OK.popitem(last=False)
    return known


# --- the signature dictionary ------------------------------------------------------------------------------


def _sig_dict(
    data: bytes, reader: PdfFileReader, ref: generic.IndirectObject
) -> generic.DictionaryObject | None:
    """The signature dictionary ``ref`` parsed with its /Contents swapped for a marker (see the module
    docstring), the real /Contents put back; None when that cannot be done safely."""
    marker = reader.xrefs[ref.reference]
    if not isinstance(marker, int):
        return None  # in an object stream: a signature dictionary the kiosk never writes
    end = data.find(b"endobj", marker)
    if end < 0:
        return None
    raw = data[marker:end]
    found = list(_HEX_CONTENTS.finditer(raw))
    if len(found) != 1:
        return None
    match = found[0]
    digits = re.sub(rb"\s", b"", match.group(1))
    if len(digits) % 2:
        return None
    tag = secrets.token_bytes(16)
    patched = raw[: match.start(1)] + tag.hex().encode() + raw[match.end(1) :] + b"endobj"
    stream = io.BytesIO(patched)
    header = re.match(rb"\s*(\d+)\s+(\d+)\s+obj\s*", patched)
    if header is None or (int(header.group(1)), int(header.group(2))) != (ref.idnum, ref.generation):
        return None
    stream.seek(header.end())
    pdf = pdf_objects()
    value = pdf.read_object(stream, pdf.Reference(ref.idnum, ref.generation, reader))
    if not isinstance(value, pdf.DictionaryObject):
        return None
    contents = value.raw_get("/Contents") if "/Contents" in value else None
    if (
        not isinstance(contents, pdf.ByteStringObject | pdf.TextStringObject)
        or contents.original_bytes != tag
    ):
        return None
    value["/Contents"] = pdf.ByteStringObject(bytes.fromhex(digits.decode("ascii")))
    return value


# --- the upload ----------------------------------------------------------------------------------------------


def verify_upload(data: bytes, trust: TrustStore) -> Verification:
    """Check an uploaded certified copy; never raises for a bad file. A copy with a signature timestamp
    goes through ``verify_pdf``; any other file than a fresh copy is refused (``upload_not_fresh``)."""
    if len(data) > MAX_PDF_BYTES:
        return _fail("not_pdf", "the file is too large to be a certified copy")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return _fail("not_pdf", "the file is not a PDF")
    try:
        reader = pdf_reader_class()(io.BytesIO(data), strict=False)
        fields = _fields(reader)
    except Exception as exc:
        log.debug("cannot read PDF", exc_info=True)
        return _fail("not_pdf", f"the PDF is damaged and cannot be read ({type(exc).__name__})")
    if isinstance(fields, Verification):
        return fields
    try:
        checked = _signature(data, reader, fields, trust)
    except Exception as exc:
        log.debug("cannot check the signature", exc_info=True)
        return _fail(
            "modified", f"the signature cannot be checked: the file is damaged ({type(exc).__name__})"
        )
    if checked is None:  # a signature timestamp: the full verifier judges it
        return verify_pdf(data, trust)
    if isinstance(checked, Verification):
        return checked
    signer_cert, signer_name, signed_at = checked
    try:
        return _verify_seal_in_pdf(reader, signer_cert, signer_name, signed_at, False, approved=False)
    except Exception as exc:
        log.debug("seal check failed", exc_info=True)
        return _fail("modified", f"the copy cannot be checked: the file is damaged ({type(exc).__name__})")


def _fields(reader: PdfFileReader) -> list[tuple[str, generic.IndirectObject]] | Verification:
    """The form's signature fields with a value, as (name, reference to the signature dictionary)."""
    form = reader.root.get("/AcroForm")
    fields = form.get_object().get("/Fields") if form is not None else None
    if fields is None:
        return _fail("unsigned", "the PDF has no digital signature, so it is not a certified copy")
    pdf = pdf_objects()
    found = []
    for ref in fields.get_object():
        node = ref.get_object()
        if not isinstance(node, pdf.DictionaryObject):
            continue
        if "/Kids" in node or node.get("/FT") != "/Sig" or "/V" not in node:
            if "/Kids" in node or node.get("/FT") == "/Sig":
                return _not_fresh("the form has other signature fields than the kiosk's")
            continue
        value = node.raw_get("/V")
        if not isinstance(value, pdf.IndirectObject):
            return _not_fresh("the kiosk's signature dictionary is not an indirect object")
        found.append((str(node.get("/T", "")), value))
    if not found:
        return _fail("unsigned", "the PDF has no digital signature, so it is not a certified copy")
    if len(found) > 1:
        return _not_fresh(f"it holds {len(found)} signatures, a fresh copy holds only the kiosk's")
    return found


def _signature(
    data: bytes, reader: PdfFileReader, fields: list[tuple[str, generic.IndirectObject]], trust: TrustStore
) -> tuple[x509.Certificate, str, dt.datetime] | Verification | None:
    ((name, ref),) = fields
    value = _sig_dict(data, reader, ref)
    if value is None:
        # Not as the kiosk writes it: the full verifier says why (it reads the dictionary its own way).
        return _fail_as_full(data, trust)
    field = SignatureDict(name, value)
    problem = check_signature_dict(data, field)
    if problem is not None:
        return _fail(problem.key, problem.reason)
    byte_range = tuple(int(n) for n in value["/ByteRange"])
    problem = stray_signature_dicts(data, [byte_range]) or trailing_data(data)
    if problem is not None:
        return _fail(problem.key, problem.reason)
    # Signed up to the last %%EOF (trailing_data allows only whitespace after it): nothing was appended.
    if byte_range[2] + byte_range[3] < data.rfind(b"%%EOF") + 5:
        return _not_fresh("the file was updated after the kiosk signed it")
    if name != FIELD_NAME or value.get("/Type", "/Sig") != "/Sig":
        return _fail("unsigned", "the PDF's first signature is not a kiosk's certification signature")
    docmdp = pdf_embedded_validation()._extract_docmdp_for_sig(signature_obj=value)
    if docmdp != mdp_perm_class().FILL_FORMS:
        return _fail(
            "not_certified",
            "the kiosk's signature is not a certification signature that allows only form filling (DocMDP P=2)",
        )
    if value.get("/SubFilter") not in SUBFILTERS:
        return _fail("modified", "the signature is not a detached CMS signature")
    return _cms(data, value, byte_range, trust)


def _fail_as_full(data: bytes, trust: TrustStore) -> Verification:
    verdict = verify_pdf(data, trust)
    if verdict.valid:
        return _not_fresh("its signature dictionary is not written as the kiosk writes it")
    return verdict


def _cms(
    data: bytes, value: generic.DictionaryObject, byte_range: tuple[int, ...], trust: TrustStore
) -> tuple[x509.Certificate, str, dt.datetime] | Verification | None:
    # the DER value, then zero padding: asn1crypto reads the value by its own length (never strip the
    # zeros: the DER itself may end in one)
    content_info = cms.ContentInfo.load(bytes(value["/Contents"]))
    if content_info["content_type"].native != "signed_data":
        return _fail("modified", "the signature is not a CMS signed-data value")
    signed_data = content_info["content"]
    general, checks = cms_general(), generic_cms_validation()
    signer_info = general.extract_signer_info(signed_data)
    if signer_info["unsigned_attrs"].native:
        return None  # a signature timestamp (B-T): verify_pdf validates the token
    cert_info = general.extract_certificate_info(signed_data)
    cert = cert_info.signer_cert
    signed_attrs = signer_info["signed_attrs"]
    if not _ess_matches(cert, signed_attrs):
        return _fail("modified", "the signature's signing-certificate attribute does not match its signer")
    eci = signed_data["encap_content_info"]
    if eci["content"].native is not None:
        return _fail("modified", "the signature encapsulates content, a PDF signature must be detached")
    md_algorithm = signer_info["digest_algorithm"]["algorithm"].native
    checks._enforce_algorithm_usage(
        signer_info, cert, algorithm_usage_policy=default_algorithm_usage_policy()
    )
    md = hashes.Hash(general.get_pyca_cryptography_hash(md_algorithm))
    md.update(memoryview(data)[byte_range[0] : byte_range[0] + byte_range[1]])
    md.update(memoryview(data)[byte_range[2] : byte_range[2] + byte_range[3]])
    intact, valid = checks.validate_sig_integrity(
        signer_info, cert, expected_content_type=eci["content_type"].native, actual_digest=md.finalize()
    )
    signer_cert = x509.load_der_x509_certificate(cert.dump())
    signer_name = signer_cert.subject.rfc4514_string()
    if not (intact and valid):
        return _fail(
            "modified",
            "the file was changed after it was signed: its signature no longer matches its content",
            signer=signer_name,
        )
    claimed = checks.extract_self_reported_ts(signer_info)
    if claimed is None and "/M" in value:
        claimed = pdf_objects().parse_pdf_date(value["/M"], strict=False)
    if claimed is not None and claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=dt.UTC)
    signed_at = claimed or dt.datetime.now(dt.UTC)
    others = list(cert_info.other_certs)
    key = (
        hashlib.sha256(cert.dump()).digest(),
        *sorted(hashlib.sha256(c.dump()).digest() for c in others),
        _trust_key(trust),
    )
    path = PATHS.get(key, signed_at)
    if path is None:
        path = _validate_path(cert, others, signer_cert, trust, signed_at)
        if path.ok:  # a refusal is not kept: it may hang on a certificate outside the window
            PATHS.put(key, path)
    if not path.ok:
        problem = path.problem or "not trusted"
        expired = "expired" in problem or "not yet valid" in problem
        return _fail(
            "cert_expired" if expired else "untrusted",
            f"the signer is not trusted: {problem} (signing time claimed)",
            signer=signer_name,
        )
    return signer_cert, signer_name, signed_at


def root_pems(trust: TrustStore) -> list[bytes]:
    """The trust store as PEM certificates (roots, then known certificates), to rebuild it elsewhere."""
    certs = [*trust.roots, *trust.known.values()]
    return [c.public_bytes(serialization.Encoding.PEM) for c in certs]


def trust_from_pems(pems: list[bytes]) -> TrustStore:
    store = TrustStore()
    for pem in pems:
        store.add(x509.load_pem_x509_certificate(pem))
    return store


__all__ = ["PATHS", "root_pems", "trust_from_pems", "verify_upload"]
