"""Plain data shared with the kiosk: the pages and facts of a copy, the issued copy, a verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TextWord:
    """One OCR word; coordinates are pixels of the page image."""

    text: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class CopyPage:
    image: np.ndarray  # BGR (or greyscale) uint8, upright
    dpi: int
    words: tuple[TextWord, ...] = ()


@dataclass(frozen=True)
class CopyMeta:
    code: str
    issued_at: dt.datetime  # UTC aware
    authority: str
    kiosk_id: str
    doc_type: str
    holder_masked_id: str
    watermark_text: str = "TTPVHCC"
    # The authority's short code for the seal; derived from the code and the kiosk id when empty.
    authority_code: str = ""
    # What a checker compares with the paper: the holder's name and the document's number and date
    # (ISO, as OCR found them; empty when the document has none).
    holder_name: str = ""  # the requester (who asked for the copy), not the document's subject
    doc_number: str = ""
    doc_date: str = ""
    # Issue 22: the document's key fields as confirmed in the visit (``ocr.doctypes`` key fields, in order;
    # when empty, the number and date above), the page (1-based) that prints each, the city's verify
    # address and the copy's access token (16 random bytes, ``signing.seal_qr``) for the QR.
    fields: Mapping[str, str] = field(default_factory=dict)
    field_pages: Mapping[str, int] = field(default_factory=dict)
    verify_base_url: str = ""
    access_token: bytes = b""

    def seal_fields(self) -> dict[str, str]:
        if self.fields:
            return {k: v for k, v in self.fields.items() if v}
        found = {"document_number": self.doc_number, "issue_date": self.doc_date}
        return {k: v for k, v in found.items() if v}


@dataclass(frozen=True)
class IssuedCopy:
    pdf: bytes
    seal: str


# What a citizen or a clerk reads on the kiosk's "check a copy" screen, by reason_key.
REASONS_VI: dict[str, str] = {
    "valid": "Bản sao chứng thực hợp lệ.",
    "not_pdf": "Tệp không phải là bản sao chứng thực (không đọc được tệp PDF).",
    "unsigned": "Tệp không có chữ ký số nên không phải là bản sao chứng thực.",
    "modified": "Tệp đã bị sửa sau khi ký: chữ ký số không còn khớp với nội dung.",
    "pages_changed": "Tệp đã bị thêm hoặc bớt trang sau khi ký.",
    "image_replaced": "Hình ảnh một trang đã bị thay so với lúc chứng thực.",
    "seal_edited": "Mã QR đã bị sửa hoặc bị hỏng.",
    "seal_untrusted": "Mã QR không do ki-ốt đã ký bản sao này tạo ra.",
    "seal_mismatch": "Mã QR thuộc về một bản sao khác.",
    "untrusted": "Người ký không thuộc cơ quan được tin cậy.",
    "cert_expired": "Chứng thư số của ki-ốt đã hết hạn hoặc chưa có hiệu lực vào lúc ký.",
    "updated_after_signing": "Tệp đã bị thay đổi sau khi ký.",
    "no_seal": "Không tìm thấy mã QR chứng thực trên ảnh; hãy chụp lại rõ phần chân trang.",
    "not_seal": "Mã QR này không phải là mã chứng thực bản sao.",
    "not_certified": "Chữ ký của ki-ốt không phải là chữ ký chứng thực (DocMDP) nên không bảo vệ được bản sao.",
    "content_changed": "Nội dung hiển thị trên một trang đã bị thay đổi so với lúc chứng thực.",
    "metadata_changed": "Thông tin mô tả của tệp đã bị sửa sau khi ký.",
    "qr_mismatch": "Mã QR in trên trang không phải là mã của bản sao này.",
    "page_mismatch": "Trang giấy này không phải là trang mà mã QR được cấp cho (mã QR bị dán sang giấy khác).",
    "later_signature_untrusted": "Chữ ký thêm sau không phải của cán bộ được tin cậy.",
    "later_signature_invalid": "Chữ ký thêm sau không hợp lệ.",
    "duplicate_signature": "Tệp có thêm một chữ ký giả mạo chữ ký của ki-ốt.",
    "signature_wrapping": "Tệp bị chèn nội dung vào giữa các phần đã ký (tấn công bọc chữ ký).",
    "byterange_missing": "Chữ ký không nêu phần nào của tệp được ký.",
    "byterange_invalid": "Phạm vi ký (/ByteRange) không hợp lệ.",
    "byterange_start": "Phạm vi ký không bắt đầu từ đầu tệp.",
    "byterange_overlap": "Các phạm vi ký chồng lên nhau.",
    "byterange_past_eof": "Phạm vi ký vượt quá cuối tệp.",
    "byterange_gap": "Có phần không được ký nằm ngoài giá trị chữ ký.",
    "contents_empty": "Chữ ký số trống.",
    "contents_odd": "Giá trị chữ ký số bị hỏng (số chữ số lẻ).",
    "trailing_data": "Tệp có dữ liệu bị nối thêm sau phần kết thúc.",
    "page_unreadable": "Không đọc được chữ trên trang để so với mã QR; hãy chụp lại rõ và thẳng hơn.",
    # Issue 22: a revoked kiosk key, and what `kiosk verify --online` finds at the city.
    "seal_revoked": "Khóa ký của ki-ốt đã bị thu hồi: mọi dấu tạo từ thời điểm thu hồi trở đi đều vô hiệu.",
    "record_mismatch": "Thông tin trên mã QR khác với hồ sơ bản sao mà cơ quan lưu giữ.",
    "unknown_code": "Cơ quan không có bản sao nào mang mã này.",
    "unconfirmed": "Bản sao mới cấp, cơ quan chưa nhận được hồ sơ: chưa xác nhận được.",
    "revoked": "Bản sao này đã bị thu hồi.",
}


@dataclass
class Verification:
    """The verdict on a copy. ``reason`` is a sentence for a person; ``reason_key`` a stable machine code."""

    valid: bool
    code: str | None
    reason: str
    issued_at: dt.datetime | None
    pages: int | None
    holder: str | None
    doc_type: str | None
    reason_key: str = "valid"
    authority: str | None = None
    kiosk_id: str | None = None
    signer: str | None = None
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    checks: dict[str, bool] = field(default_factory=dict)
    # What a checker compares with the paper (from the seal), and which page of the copy a photo shows.
    holder_name: str | None = None
    doc_number: str | None = None
    doc_date: str | None = None
    page: int | None = None
    # Issue 22: the subject's fields the seal holds (and the page that prints each), the city's verify
    # address from the QR, and the sealed fields the paper contradicts or lacks (by field name).
    fields: dict[str, str] = field(default_factory=dict)
    field_pages: dict[str, int] = field(default_factory=dict)
    verify_url: str | None = None
    mismatched_fields: list[str] = field(default_factory=list)
    # The seal's format (VNC2, or VNC1 for an older copy), and for an older one what its seal checks and
    # what the checker must compare by eye (``signing.seal_v1.OLDER_SEAL_NOTE``).
    seal_format: str | None = None
    older_seal: str | None = None

    @property
    def reason_vi(self) -> str:
        """The verdict in Vietnamese (a fixed sentence per reason_key; ``reason`` carries the detail)."""
        return REASONS_VI.get(
            self.reason_key, "Bản sao không hợp lệ." if not self.valid else REASONS_VI["valid"]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "code": self.code,
            "reason": self.reason,
            "reason_key": self.reason_key,
            "reason_vi": self.reason_vi,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "pages": self.pages,
            "holder": self.holder,
            "doc_type": self.doc_type,
            "authority": self.authority,
            "kiosk_id": self.kiosk_id,
            "signer": self.signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "checks": dict(self.checks),
            "holder_name": self.holder_name,
            "doc_number": self.doc_number,
            "doc_date": self.doc_date,
            "page": self.page,
            "fields": dict(self.fields),
            "requester": {"name": self.holder_name, "masked_id": self.holder} if self.holder else None,
            "mismatched_fields": list(self.mismatched_fields),
            "seal_format": self.seal_format,
            "older_seal": self.older_seal,
        }
