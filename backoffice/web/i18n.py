"""The back office's words in Vietnamese (the default) and English.

``translator(lang)`` gives templates ``t``: the fixed strings (``t.approve``) and, as methods, the words of
what records carry, so that no raw key reaches a page: ``t.doc(key)`` (document types), ``t.field(key)``
(OCR field names), ``t.value(field, value)`` (seal/signature states), ``t.live(text)``
(``passed:turn_right+blink``), ``t.source(key)``, ``t.role(key)``, ``t.action(key)`` (audit), ``t.flag(key)``
and ``t.time(iso)`` (Vietnam time, labelled GMT+7). A key with no word is shown as plain words
(``parcel_area`` -> "Parcel area"), never as a snake_case token.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

LANGS = ("vi", "en")
VIETNAM = timezone(timedelta(hours=7), "GMT+7")  # no daylight saving in Vietnam

_T: dict[str, tuple[str, str]] = {
    "title": ("Hậu kiểm bản sao chứng thực", "Post-check of certified copies"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "login_locked": (
        "Tài khoản tạm khoá do nhập sai nhiều lần. Thử lại sau {minutes} phút.",
        "The account is locked after too many failed logins. Try again in {minutes} min.",
    ),
    "csrf": ("Phiên làm việc đã hết hạn. Vui lòng thử lại.", "The form expired. Please try again."),
    "forbidden": ("Tài khoản không có quyền này.", "Your account may not do this."),
    "queue": ("Bản sao chờ hậu kiểm", "Copies awaiting post-check"),
    "all": ("Tất cả", "All"),
    "kiosk": ("Ki-ốt", "Kiosk"),
    "ward": ("Phường/xã", "Ward"),
    "doc_type": ("Loại giấy tờ", "Document type"),
    "risk": ("Cảnh báo rủi ro", "Risk flags"),
    "status": ("Trạng thái", "Status"),
    "filter": ("Lọc", "Filter"),
    "code": ("Mã bản sao", "Copy code"),
    "issued_at": ("Thời điểm cấp", "Issued at"),
    "pages": ("Số trang", "Pages"),
    "empty": ("Không có bản sao nào.", "No copies."),
    "open": ("Xem", "Open"),
    "back": ("Quay lại danh sách", "Back to the queue"),
    "page_images": ("Ảnh các trang", "Page images"),
    "page": ("Trang", "Page"),
    "ocr_fields": ("Thông tin nhận dạng (OCR)", "OCR'd fields"),
    "ocr_text": ("Văn bản OCR", "OCR text"),
    "identity": ("Kiểm tra danh tính", "Identity check"),
    "holder_id": ("Số định danh (che)", "ID number (masked)"),
    "holder_name": ("Họ tên", "Name"),
    "face_match": ("Khuôn mặt khớp", "Face match"),
    "face_distance": ("Khoảng cách khuôn mặt", "Face distance"),
    "liveness": ("Kiểm tra người thật", "Liveness"),
    "identity_source": ("Nguồn danh tính", "Identity from"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "approve": ("Phê duyệt và ký", "Approve and sign"),
    "revoke": ("Thu hồi", "Revoke"),
    "reason": ("Lý do thu hồi", "Reason for revocation"),
    "approved_by": ("Người hậu kiểm", "Post-checked by"),
    "revoked_by": ("Người thu hồi", "Revoked by"),
    "approve_failed": ("Không ký được: {error}", "Could not sign: {error}"),
    "reason_needed": ("Cần ghi lý do thu hồi.", "A revocation needs a reason."),
    "not_found": ("Không tìm thấy bản sao có mã này.", "No copy has this code."),
    "audit": ("Nhật ký truy cập", "Access log"),
    "st_issued": ("Đã cấp, chờ hậu kiểm", "Issued, awaiting post-check"),
    "st_post_checked": ("Đã hậu kiểm", "Post-checked"),
    "st_revoked": ("Đã thu hồi", "Revoked"),
    "fl_low_ocr": ("OCR độ tin cậy thấp", "Low OCR confidence"),
    "fl_face_near_threshold": ("Khuôn mặt sát ngưỡng", "Face distance near the threshold"),
    "fl_liveness_retries": ("Kiểm tra người thật phải làm lại", "Liveness retried"),
    "fl_qr_identity": ("Danh tính chỉ từ mã QR thẻ", "Identity from the card's QR only"),
    "fl_dg13_absent": (
        "Chip CCCD không có DG13: họ tên chỉ đối chiếu với MRZ",
        "CCCD chip without DG13: name checked against the MRZ only",
    ),
    "fl_rescanned": ("Có trang bị từ chối và quét lại", "A page refused and rescanned"),
    "fl_seal_absent": ("Bản gốc không thấy con dấu", "No seal seen on the original"),
    "fl_signature_absent": ("Bản gốc không thấy chữ ký", "No signature seen on the original"),
    "fl_fields_missing": (
        "OCR không đọc được thông tin chính của loại giấy tờ này",
        "OCR found none of this document type's key fields",
    ),
    "language": ("English", "Tiếng Việt"),
    # Issue 24: the console an officer works through.
    "count": ("{n} bản sao", "{n} copies"),
    "page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "prev_page": ("← Trang trước", "← Previous page"),
    "next_page": ("Trang sau →", "Next page →"),
    "search": ("Tìm theo mã", "Search by code"),
    "search_go": ("Tìm", "Search"),
    "clear_filter": ("Bỏ lọc", "Clear"),
    "deadline": ("Hạn hậu kiểm", "Post-check due"),
    "prev_copy": ("← Bản trước (k)", "← Previous (k)"),
    "next_copy": ("Bản sau (j) →", "Next (j) →"),
    "position": ("Bản {i}/{n} trong danh sách", "Copy {i} of {n} in the queue"),
    "confirm": ("Xác nhận", "Confirm"),
    "cancel": ("Huỷ", "Cancel"),
    "approve_confirm": (
        "Phê duyệt và ký số bản sao {code}? (Enter để đồng ý)",
        "Approve and sign copy {code}? (Enter accepts)",
    ),
    "revoke_confirm": (
        "Thu hồi bản sao {code}? Người dân và bên thứ ba sẽ thấy bản sao đã bị thu hồi.",
        "Revoke copy {code}? Citizens and third parties will see it as revoked.",
    ),
    "revoke_reason_pick": ("Chọn lý do thu hồi", "Choose a reason"),
    "internal_note": ("Ghi chú nội bộ (không công khai)", "Internal note (not public)"),
    "reason_unknown": ("Lý do thu hồi không có trong danh sách.", "The reason is not one of the list."),
    "confirm_needed": ("Cần xác nhận trước khi thực hiện.", "Please confirm first."),
    "done_approved": ("Đã phê duyệt {code}.", "Approved {code}."),
    "done_revoked": ("Đã thu hồi {code}.", "Revoked {code}."),
    "queue_done": ("Đã xử lý hết danh sách đang lọc.", "The filtered queue is done."),
    "select": ("Chọn", "Select"),
    "select_all": ("Chọn cả trang", "Select the whole page"),
    "batch_approve": ("Phê duyệt và ký các bản đã chọn", "Approve and sign the selected"),
    "batch_confirm": (
        "Phê duyệt và ký {n} bản sao đã chọn? Khoá ký được mở một lần cho cả lô.",
        "Approve and sign the {n} selected copies? The token is unlocked once for the whole batch.",
    ),
    "batch_none": ("Chưa chọn bản sao nào.", "No copy was selected."),
    "batch_too_many": ("Mỗi lô tối đa {n} bản sao.", "At most {n} copies a batch."),
    "batch_results": ("Kết quả phê duyệt theo lô", "Batch approval results"),
    "batch_summary": ("{ok}/{n} bản sao đã được ký.", "{ok} of {n} copies signed."),
    "result": ("Kết quả", "Result"),
    "res_signed": ("Đã ký", "Signed"),
    "res_already": ("Đã được xử lý trước đó", "Already done before"),
    "res_failed": ("Không ký được", "Not signed"),
    "res_not_found": ("Không tìm thấy", "Not found"),
    "res_token_unavailable": ("Khoá ký số không mở được", "The signing token could not be opened"),
    "per_page": ("Số dòng mỗi trang", "Rows a page"),
    "disagree_fields": ("Khác dấu niêm phong", "Differs from the seal"),
    "token_unavailable": (
        "khoá ký số của cán bộ đang bận hoặc không mở được; vui lòng thử lại",
        "the officer's signing token is busy or cannot be opened; please try again",
    ),
    "help": ("Phím tắt", "Keyboard shortcuts"),
    "help_hint": ("Nhấn ? để xem phím tắt", "Press ? for shortcuts"),
    "key_next": ("Bản sao sau", "Next copy"),
    "key_prev": ("Bản sao trước", "Previous copy"),
    "key_approve": ("Phê duyệt (hỏi xác nhận)", "Approve (asks to confirm)"),
    "key_revoke": ("Thu hồi (hỏi lý do)", "Revoke (asks for a reason)"),
    "key_open": ("Mở bản sao đang chọn", "Open the selected copy"),
    "key_select": ("Chọn/bỏ chọn để ký theo lô", "Select for batch approval"),
    "key_back": ("Quay lại danh sách", "Back to the queue"),
    "key_help": ("Hiện/ẩn trợ giúp", "Show or hide this help"),
    "close": ("Đóng", "Close"),
    "sealed_facts": (
        "Thông tin trên dấu niêm phong số (dữ liệu gốc)",
        "Sealed facts (from the digital seal)",
    ),
    "sealed_none": (
        "Không đọc được dấu niêm phong của bản sao.",
        "The copy's seal could not be read.",
    ),
    "ocr_beside": (
        "Kết quả OCR (máy đọc, cần đối chiếu với ảnh trang)",
        "OCR results (machine-read: compare with the page image)",
    ),
    "ocr_value": ("OCR đọc được", "OCR read"),
    "sealed_value": ("Trên dấu niêm phong", "Sealed"),
    "disagrees": ("Khác dấu niêm phong: {sealed}", "Differs from the seal: {sealed}"),
    "low_conf_words": ("Từ OCR độ tin cậy thấp", "Words read with low confidence"),
    "legend": (
        "Chú thích: nền đỏ = khác dấu niêm phong; gạch chân vàng = OCR độ tin cậy thấp.",
        "Legend: red = differs from the seal; yellow underline = low OCR confidence.",
    ),
    "requester": ("Người yêu cầu chứng thực", "Requester"),
    "authority": ("Cơ quan chứng thực", "Certifying authority"),
    "tz_note": ("Giờ Việt Nam (GMT+7)", "Vietnam time (GMT+7)"),
    "decision": ("Quyết định", "Decision"),
    # The post-check deadline on a copy and in the queue (issue 24).
    "due_overdue": ("Quá hạn", "Overdue"),
    "due_late": ("Hậu kiểm trễ hạn", "Post-checked late"),
    "due_on_time": ("Hậu kiểm đúng hạn", "Post-checked on time"),
    "no_deadline": ("chưa có hạn", "none set"),
    "record_says": ("hồ sơ ki-ốt ghi", "the record says"),
}


# What records carry, by kind: (Vietnamese, English).
DOC_TYPES: dict[str, tuple[str, str]] = {
    "birth_certificate": ("Giấy khai sinh / Trích lục khai sinh", "Birth certificate / extract"),
    "marriage_certificate": ("Giấy chứng nhận kết hôn", "Marriage certificate"),
    "diploma": ("Văn bằng, bằng tốt nghiệp", "Diploma"),
    "residence_confirmation": ("Xác nhận thông tin cư trú", "Residence confirmation"),
    "land_use_certificate": ("Giấy chứng nhận quyền sử dụng đất", "Land use right certificate"),
    "id_card": ("Căn cước công dân", "Identity card"),
    "other": ("Giấy tờ khác", "Other document"),
}
FIELDS: dict[str, tuple[str, str]] = {
    "document_number": ("Số giấy tờ", "Document number"),
    "issue_date": ("Ngày cấp", "Date of issue"),
    "issuing_authority": ("Cơ quan cấp", "Issued by"),
    "full_name": ("Họ và tên", "Full name"),
    "name": ("Họ và tên", "Full name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "sex": ("Giới tính", "Sex"),
    "id_number": ("Số định danh cá nhân", "Personal ID number"),
    "mother_name": ("Họ tên mẹ", "Mother's name"),
    "father_name": ("Họ tên cha", "Father's name"),
    "date_of_expiry": ("Có giá trị đến", "Valid until"),
    "parcel_number": ("Thửa đất số", "Parcel number"),
    "map_sheet": ("Tờ bản đồ số", "Map sheet"),
    "husband_name": ("Họ tên chồng", "Husband's name"),
    "husband_date_of_birth": ("Ngày sinh của chồng", "Husband's date of birth"),
    "husband_id_number": ("Số định danh của chồng", "Husband's ID number"),
    "wife_name": ("Họ tên vợ", "Wife's name"),
    "wife_date_of_birth": ("Ngày sinh của vợ", "Wife's date of birth"),
    "wife_id_number": ("Số định danh của vợ", "Wife's ID number"),
    "place_of_birth": ("Nơi sinh", "Place of birth"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "classification": ("Xếp loại", "Classification"),
    "graduation_year": ("Năm tốt nghiệp", "Year of graduation"),
    "area": ("Diện tích", "Area"),
    "address": ("Địa chỉ", "Address"),
    "permanent_address": ("Nơi thường trú", "Permanent address"),
    "name_1": ("Họ tên (1)", "Name (1)"),
    "name_2": ("Họ tên (2)", "Name (2)"),
    "name_3": ("Họ tên (3)", "Name (3)"),
    "requester_name": ("Họ tên người yêu cầu", "Requester's name"),
    "requester_masked_id": ("Số định danh người yêu cầu (che)", "Requester's ID (masked)"),
    "seal": ("Con dấu trên bản gốc", "Seal on the original"),
    "signature": ("Chữ ký trên bản gốc", "Signature on the original"),
    "note": ("Ghi chú", "Note"),
    # the seal's claims
    "code": ("Mã bản sao", "Copy code"),
    "holder": ("Số định danh người yêu cầu (che)", "Requester's ID (masked)"),
    "holder_name": ("Họ tên trên giấy tờ", "Name on the document"),
    "doc_number": ("Số giấy tờ", "Document number"),
    "doc_date": ("Ngày của giấy tờ", "Date of the document"),
    "doc_type": ("Loại giấy tờ", "Document type"),
    "pages": ("Số trang", "Pages"),
    "issued_at": ("Thời điểm chứng thực", "Certified at"),
    "kiosk_id": ("Ki-ốt", "Kiosk"),
    "authority": ("Cơ quan chứng thực", "Certifying authority"),
}
# The values of the seal and signature fields (ocr.document_marks).
MARKS: dict[str, tuple[str, str]] = {
    "present": ("Có", "Present"),
    "absent": ("Không có", "Absent"),
}
LIVENESS_ACTIONS: dict[str, tuple[str, str]] = {
    "blink": ("chớp mắt", "blink"),
    "turn_left": ("quay sang trái", "turn left"),
    "turn_right": ("quay sang phải", "turn right"),
    "move_closer": ("tiến lại gần", "move closer"),
}
LIVENESS_WORDS: dict[str, tuple[str, str]] = {
    "passed": ("Đạt", "Passed"),
    "failed": ("Không đạt", "Failed"),
    "not_checked": ("Chưa kiểm tra", "Not checked"),
    "timeout": ("hết thời gian", "timed out"),
    "too_many_attempts": ("quá số lần thử", "too many attempts"),
    "static_replay": ("nghi phát lại video", "looks like a replayed video"),
    "static_photo": ("nghi ảnh chụp", "looks like a photo"),
    "two_faces": ("có hai khuôn mặt", "two faces"),
    "no_face": ("không thấy khuôn mặt", "no face"),
    "challenge_not_done": ("không làm đúng yêu cầu", "challenge not done"),
}
SOURCES: dict[str, tuple[str, str]] = {
    "chip": ("Chip thẻ căn cước", "The card's chip"),
    "qr": ("Mã QR in trên thẻ", "The card's printed QR"),
}
ROLES: dict[str, tuple[str, str]] = {
    "officer": ("cán bộ tư pháp", "judicial officer"),
    "admin": ("quản trị", "administrator"),
    "it": ("CNTT", "central IT"),
    "supervisor": ("giám sát toàn thành phố", "city-wide supervisor"),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "view": ("xem", "viewed"),
    "read_pdf": ("đọc tệp PDF", "read the PDF"),
    "approve": ("phê duyệt và ký", "approved and signed"),
    "revoke": ("thu hồi", "revoked"),
    "login": ("đăng nhập", "logged in"),
    "batch_approve": ("phê duyệt theo lô", "batch approval"),
}

# /ops alerts (issue 24): each kind's sentence; the facts come from the alert's ``params`` (fleet.py).
ALERTS: dict[str, tuple[str, str]] = {
    "device": ("{device}: {state}", "{device}: {state}"),
    "backlog": (
        "Số hồ sơ chờ đồng bộ tăng liên tục: {series}",
        "The records waiting to sync keep growing: {series}",
    ),
    "silent": ("Không nhận được tín hiệu từ ki-ốt trong {minutes} phút", "No heartbeat for {minutes} min"),
    "silent_never": ("Ki-ốt chưa gửi tín hiệu lần nào", "The kiosk has never sent a heartbeat"),
    "dead_letters": (
        "{n} hồ sơ bị máy chủ thành phố từ chối vĩnh viễn (ki-ốt không gửi lại)",
        "{n} records refused for good by the city (the kiosk will not resend them)",
    ),
    "clock_slow": (
        "Đồng hồ ki-ốt chậm {seconds} giây so với máy chủ thành phố",
        "The kiosk's clock is {seconds} s behind the city's",
    ),
    "clock_fast": (
        "Đồng hồ ki-ốt nhanh {seconds} giây so với máy chủ thành phố",
        "The kiosk's clock is {seconds} s ahead of the city's",
    ),
    "staff_call": ("Ki-ốt gọi cán bộ: {reason}, lúc {at}", "The kiosk called for staff: {reason}, at {at}"),
    "overdue": (
        "Bản sao {code} ({ward}) quá hạn hậu kiểm từ {due}",
        "Copy {code} ({ward}) is overdue for post-check since {due}",
    ),
    "overdue_more": ("Còn {n} bản sao quá hạn khác", "{n} more overdue copies"),
    "no_ward": ("chưa gán phường/xã", "no ward"),
}
DEVICES: dict[str, tuple[str, str]] = {
    "scanner": ("Máy quét", "Scanner"),
    "camera": ("Camera", "Camera"),
    "document_printer": ("Máy in giấy tờ", "Document printer"),
    "printer": ("Máy in", "Printer"),
    "receipt_printer": ("Máy in biên nhận", "Receipt printer"),
    "card_reader": ("Đầu đọc thẻ", "Card reader"),
    "staff_signal": ("Đèn gọi cán bộ", "Staff signal"),
}
DEVICE_STATES: dict[str, tuple[str, str]] = {
    "ok": ("hoạt động bình thường", "working"),
    "warning": ("cần chú ý", "needs attention"),
    "error": ("lỗi", "in error"),
    "absent": ("không kết nối", "not connected"),
}
STAFF_CALL_REASONS: dict[str, tuple[str, str]] = {
    "citizen_request": ("người dân yêu cầu", "the citizen asked"),
    "unsupported_document": ("giấy tờ không hỗ trợ", "a document the kiosk does not take"),
    "face_failures": ("xác thực khuôn mặt không đạt nhiều lần", "repeated face check failures"),
    "payment_cash": ("thanh toán tiền mặt", "cash payment"),
    "device_fault": ("thiết bị hỏng", "a device fault"),
    "out_of_service": ("ki-ốt tạm ngừng phục vụ", "the kiosk is out of service"),
    "other": ("lý do khác", "another reason"),
}
# Why ingest refused a record for good, read from the start of its (English, technical) answer: the first
# prefix that matches. ``{field}`` is the field the seal contradicts (seal_mismatch:<field>:...).
REFUSALS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("seal_mismatch:", ("khác dấu niêm phong ở trường “{field}”", "differs from the seal in “{field}”")),
    (
        "the PDF is not a valid certified copy",
        ("không phải bản sao chứng thực hợp lệ", "not a valid certified copy"),
    ),
    (
        "the PDF's seal is for code",
        ("dấu niêm phong thuộc mã bản sao khác", "the seal belongs to another code"),
    ),
    ("the PDF was not sealed by", ("không do ki-ốt này niêm phong", "not sealed by this kiosk")),
    ("the PDF could not be verified", ("không kiểm tra được tệp PDF", "the PDF could not be verified")),
    (
        "the record says document type",
        ("loại giấy tờ khác dấu niêm phong", "document type differs from the seal"),
    ),
    ("the record says", ("số trang khác dấu niêm phong", "page count differs from the seal")),
    ("code ", ("mã bản sao không thuộc ki-ốt này", "the code is not this kiosk's")),
    (
        "this code was already used",
        ("mã đã dùng cho một hồ sơ khác", "the code was used with another record"),
    ),
)
REFUSED_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("hồ sơ không đọc được", "the record could not be read"),
    403: ("bị từ chối (không đúng ki-ốt)", "refused (not this kiosk's)"),
    413: ("hồ sơ quá lớn", "the record is too large"),
}
REFUSED_OTHER = ("bị từ chối (mã {status})", "refused (HTTP {status})")


def plain_words(key: str) -> str:
    """A key with no translation as plain words: ``parcel_area`` -> "Parcel area"."""
    text = " ".join(str(key).replace("_", " ").replace("-", " ").split())
    return text[:1].upper() + text[1:]


def vietnam_time(iso: object, *, seconds: bool = False) -> str:
    """An ISO time (UTC or any zone) as Vietnam time, labelled: ``2026-11-22 15:30 GMT+7``; '' for none.
    A time without a zone is read as UTC (how the backend stores times)."""
    if not iso:
        return ""
    try:
        when = iso if isinstance(iso, datetime) else datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " GMT+7"


class Words(dict[str, str]):
    """The fixed strings of one language, plus the words of what records carry (see the module doc)."""

    def __init__(self, lang: str) -> None:
        self.index = 1 if lang == "en" else 0
        super().__init__({key: pair[self.index] for key, pair in _T.items()})

    def _pick(self, table: dict[str, tuple[str, str]], key: object) -> str:
        pair = table.get(str(key))
        return pair[self.index] if pair else plain_words(str(key))

    def doc(self, key: object) -> str:
        return self._pick(DOC_TYPES, key) if key else ""

    def field(self, key: object) -> str:
        return self._pick(FIELDS, key)

    def value(self, field: object, value: object) -> str:
        """A field's value; the seal/signature states are words, everything else as the record has it."""
        if field in ("seal", "signature") and str(value) in MARKS:
            return MARKS[str(value)][self.index]
        return str(value)

    def live(self, text: object) -> str:
        """``passed:turn_right+blink`` -> "Đạt: quay sang phải, chớp mắt"; ``failed:timeout:blink`` ->
        "Không đạt (hết thời gian): chớp mắt"; an older bare challenge (``blink``) -> its actions."""
        raw = str(text or "").strip()
        if not raw:
            return ""
        parts = raw.split(":")
        if parts[0] in ("passed", "failed"):
            verdict = self._pick(LIVENESS_WORDS, parts[0])
            reason = self._pick(LIVENESS_WORDS, parts[1]) if parts[0] == "failed" and len(parts) > 2 else ""
            challenge = parts[-1] if len(parts) > 1 else ""
        elif raw in LIVENESS_WORDS:
            return self._pick(LIVENESS_WORDS, raw)
        else:
            verdict, reason, challenge = "", "", raw
        actions = ", ".join(self._pick(LIVENESS_ACTIONS, a) for a in challenge.split("+") if a)
        head = f"{verdict} ({reason})" if reason else verdict
        return f"{head}: {actions}" if head and actions else head or actions

    def source(self, key: object) -> str:
        return self._pick(SOURCES, key) if key else ""

    def role(self, key: object) -> str:
        return self._pick(ROLES, key)

    def action(self, key: object) -> str:
        return self._pick(ACTIONS, key)

    def flag(self, key: object) -> str:
        return self.get(f"fl_{key}") or plain_words(str(key))

    def state(self, key: object) -> str:
        return self.get(f"st_{key}") or plain_words(str(key))

    def time(self, iso: object) -> str:
        return vietnam_time(iso)

    # --- /ops alerts (named unlike any _T key: Jinja's t.X finds a method first) ---------------------

    def device_name(self, key: object) -> str:
        return self._pick(DEVICES, key)

    def device_state(self, key: object) -> str:
        return self._pick(DEVICE_STATES, key)

    def refusal(self, error: object, status: object = 0) -> str:
        """Why ingest refused a record, in words: from its technical answer, else from its HTTP status."""
        text = str(error or "")
        for prefix, pair in REFUSALS:
            if text.startswith(prefix):
                field = text[len(prefix) :].split(":", 1)[0].strip() if prefix.endswith(":") else ""
                return pair[self.index].format(field=self.field(field) if field else "")
        code = int(str(status)) if str(status).isdigit() else 0
        pair = REFUSED_BY_STATUS.get(code, REFUSED_OTHER)
        return pair[self.index].format(status=code or "?")

    def alert(self, alert: dict[str, Any]) -> str:
        """An /ops alert as a sentence in this language, from its ``params`` (its technical ``detail``
        stays apart, for IT). An alert of a kind with no words reads as its kind, in words."""
        kind, p = str(alert.get("kind", "")), alert.get("params") or {}
        say = self._pick_alert
        if kind == "device":
            return say(
                kind, device=self.device_name(p.get("device")), state=self.device_state(p.get("state"))
            )
        if kind == "backlog":
            return say(kind, series=" → ".join(str(n) for n in p.get("backlogs", [])))
        if kind == "silent":
            minutes = p.get("minutes")
            return say("silent_never") if minutes is None else say(kind, minutes=minutes)
        if kind == "dead_letters":
            head = say(kind, n=p.get("count", 0))
            refused = [
                f"{r.get('code', '')} ({self.refusal(r.get('error'), r.get('status'))})"
                for r in p.get("refused", [])
            ]
            return f"{head}: {'; '.join(refused)}" if refused else head
        if kind == "clock":
            offset = float(p.get("offset_s") or 0)
            return say("clock_fast" if offset > 0 else "clock_slow", seconds=f"{abs(offset):.0f}")
        if kind == "staff_call":
            return say(
                kind, reason=self._pick(STAFF_CALL_REASONS, p.get("reason")), at=self.time(p.get("raised_at"))
            )
        if kind == "overdue":
            ward = p.get("ward") or say("no_ward")
            return say(kind, code=p.get("code", ""), ward=ward, due=self.time(p.get("due_at")))
        if kind == "overdue_more":
            return say(kind, n=p.get("more", 0))
        return plain_words(kind)

    def _pick_alert(self, key: str, **facts: object) -> str:
        return ALERTS[key][self.index].format(**facts)


def translator(lang: str) -> Words:
    """Every string in ``lang`` (Vietnamese for anything unknown)."""
    return Words(lang)
