"""Default citizen messages for the device error keys, in Vietnamese and English.

The UI may translate ``DeviceError.message_key`` itself; this table is the fallback and the reference.
Each message says what happened and the way forward.
"""

from __future__ import annotations

_STAFF_VI = "Vui lòng liên hệ nhân viên để được hỗ trợ."
_STAFF_EN = "Please ask staff for help."

_CATEGORY_VI = {
    "scanner": "Máy quét",
    "camera": "Camera",
    "printer": "Máy in",
    "receipt_printer": "Máy in biên nhận",
    "device": "Thiết bị",
}
_CATEGORY_EN = {
    "scanner": "The scanner",
    "camera": "The camera",
    "printer": "The printer",
    "receipt_printer": "The receipt printer",
    "device": "A device",
}

_REASON_VI = {
    "absent": "{c} không được kết nối.",
    "offline": "{c} đang tạm ngừng hoạt động.",
    "timeout": "{c} không phản hồi.",
    "busy": "{c} đang bận.",
    "paper_out": "{c} đã hết giấy.",
    "cover_open": "Nắp {cl} đang mở.",
    "paper_jam": "{c} bị kẹt giấy.",
    "stopped": "{c} đã dừng.",
    "print_failed": "Không in được. Bạn có thể in lại bằng mã hồ sơ.",
    "no_document": "Vui lòng đặt giấy tờ lên mặt kính máy quét.",
    "scan_failed": "Không quét được. Vui lòng thử lại.",
    "no_frames": "{c} không có hình ảnh.",
    "config": "{c} chưa được cài đặt đúng.",
    "failed": "{c} gặp lỗi.",
}
_REASON_EN = {
    "absent": "{c} is not connected.",
    "offline": "{c} is offline.",
    "timeout": "{c} is not responding.",
    "busy": "{c} is busy.",
    "paper_out": "{c} is out of paper.",
    "cover_open": "The cover of {cl} is open.",
    "paper_jam": "{c} has a paper jam.",
    "stopped": "{c} has stopped.",
    "print_failed": "Printing failed. You can reprint with your record code.",
    "no_document": "Please place the document on the scanner glass.",
    "scan_failed": "The scan did not work. Please try again.",
    "no_frames": "{c} shows no picture.",
    "config": "{c} is not set up correctly.",
    "failed": "{c} has a fault.",
}
# Reasons where the citizen can act alone; the others send them to staff.
_SELF_SERVICE = {"no_document", "scan_failed", "print_failed", "busy"}


def citizen_message(key: str, language: str = "vi") -> str:
    """The citizen's text for a ``device.<category>.<reason>`` key, in ``vi`` or ``en``."""
    parts = key.split(".")
    category = parts[1] if len(parts) == 3 and parts[0] == "device" else "device"
    reason = parts[2] if len(parts) == 3 and parts[0] == "device" else "failed"
    english = language.lower().startswith("en")
    names = _CATEGORY_EN if english else _CATEGORY_VI
    table = _REASON_EN if english else _REASON_VI
    name = names.get(category, names["device"])
    lower = name[0].lower() + name[1:] if english else name.lower()
    text = table.get(reason, table["failed"]).format(c=name, cl=lower)
    if reason not in _SELF_SERVICE:
        text = f"{text} {_STAFF_EN if english else _STAFF_VI}"
    return text
