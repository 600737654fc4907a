"""The back office's words in Vietnamese (the default) and English."""

from __future__ import annotations

LANGS = ("vi", "en")

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
    "fl_rescanned": ("Có trang bị từ chối và quét lại", "A page refused and rescanned"),
    "language": ("English", "Tiếng Việt"),
}


def translator(lang: str) -> dict[str, str]:
    """Every string in ``lang`` (Vietnamese for anything unknown)."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in _T.items()}
