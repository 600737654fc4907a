"""What the maintenance screen shows, in plain words of the kiosk's language (issue 25 walk W12).

The commands keep their own English for scripts (``kiosk sync status`` byte for byte); the screen reads
their ``--json`` answers and the device states and says them here: Vietnamese by default, English when the
kiosk shows English, times in Vietnam's time (GMT+7), and a verdict that matches what was found (a warning,
never "success", while the backend is not configured or the sync worker is not running).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def pick(language: str, vi: str, en: str) -> str:
    """The Vietnamese text, or the English one when the kiosk shows English."""
    return en if language == "en" else vi


def local_time(moment: Any, language: str = "vi", *, with_zone: bool = True) -> str:
    """An ISO time (or a datetime) in Vietnam's time, dd/mm/yyyy HH:MM; what cannot be read, as it is."""
    if moment is None or moment == "":
        return pick(language, "chưa có", "none")
    when = moment
    if not isinstance(when, datetime):
        try:
            when = datetime.fromisoformat(str(moment))
        except ValueError:
            return str(moment)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    text = when.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
    return text + (" (GMT+7)" if with_zone else "")


# -- verdicts ---------------------------------------------------------------------------------------------
def verdict_line(level: str, language: str) -> str:
    """The first line of a section's result: ok, a warning, or an error."""
    words = {
        "ok": ("Kết quả: tốt", "Result: good"),
        "warning": ("Kết quả: CẦN CHÚ Ý", "Result: NEEDS ATTENTION"),
        "error": ("Kết quả: LỖI", "Result: ERROR"),
    }
    vi, en = words.get(level, words["error"])
    return pick(language, vi, en)


# -- sync -------------------------------------------------------------------------------------------------
def sync_status_text(status: dict[str, Any] | None, language: str) -> tuple[str, list[str]]:
    """`kiosk sync status --json` as (level, lines). None: the command gave no answer."""
    if status is None:
        return "error", [
            pick(language, "Không đọc được trạng thái đồng bộ.", "The sync state cannot be read.")
        ]
    level = "ok"
    lines = []
    backend = status.get("backend_url")
    if backend:
        lines.append(pick(language, f"Máy chủ thành phố: {backend}", f"City backend: {backend}"))
    else:
        level = "warning"
        lines.append(
            pick(
                language,
                "Máy chủ thành phố: CHƯA CẤU HÌNH — bản ghi chỉ lưu trên ki-ốt.",
                "City backend: NOT CONFIGURED — records stay on the kiosk.",
            )
        )
    if status.get("worker_running"):
        lines.append(pick(language, "Tiến trình đồng bộ: đang chạy", "Sync worker: running"))
    else:
        level = "warning"
        lines.append(
            pick(
                language,
                "Tiến trình đồng bộ: KHÔNG CHẠY — không có gì được gửi đi.",
                "Sync worker: NOT RUNNING — nothing is being sent.",
            )
        )
    backlog = int(status.get("backlog") or 0)
    lines.append(pick(language, f"Bản ghi chờ gửi: {backlog}", f"Records waiting: {backlog}"))
    if backlog:
        lines.append(
            pick(language, "  cũ nhất từ ", "  the oldest since ")
            + local_time(status.get("oldest_unsynced"), language)
        )
    dead = int(status.get("dead_letters") or 0)
    if dead:
        level = "warning" if level == "ok" else level
    lines.append(pick(language, f"Bản ghi không gửi được: {dead}", f"Records that could not be sent: {dead}"))
    for item in status.get("dead_letter_records") or []:
        lines.append(f"  • {item.get('code', '?')} ({item.get('status', '?')}): {item.get('error', '')}")
    if dead:
        lines.append(
            pick(
                language,
                "  Sửa nguyên nhân, rồi chạy: kiosk sync retry-dead",
                "  Fix the cause, then run: kiosk sync retry-dead",
            )
        )
    if status.get("last_error"):
        lines.append(
            pick(language, "Lỗi gần nhất: ", "Last error: ")
            + f"{status['last_error']} ({local_time(status.get('last_error_at'), language)})"
        )
    else:
        lines.append(pick(language, "Lỗi gần nhất: không có", "Last error: none"))
    last_success = status.get("last_success_at")
    lines.append(
        pick(language, "Gửi thành công gần nhất: ", "Last successful send: ")
        + (local_time(last_success, language) if last_success else pick(language, "chưa lần nào", "never"))
    )
    lines.append(
        pick(
            language,
            f"Tín hiệu hoạt động chờ gửi: {status.get('queued_heartbeats', 0)}",
            f"Heartbeats waiting: {status.get('queued_heartbeats', 0)}",
        )
    )
    lines.append(
        pick(
            language,
            f"Bản ghi đang lưu trên ki-ốt: {status.get('records_total', 0)}",
            f"Records kept on the kiosk: {status.get('records_total', 0)}",
        )
    )
    return level, lines


OUTCOME_WORDS = {
    "retry": ("sẽ gửi lại", "will retry"),
    "dead_letter": ("không gửi được", "could not be sent"),
    "synced": ("đã gửi", "sent"),
}


def sync_log_lines(entries: list[dict[str, Any]] | None, language: str) -> list[str]:
    """`kiosk sync log --json` entries, one line each, newest last."""
    if not entries:
        return [pick(language, "(không có)", "(none)")]
    lines = []
    for entry in entries:
        vi, en = OUTCOME_WORDS.get(
            str(entry.get("outcome")), (str(entry.get("outcome")), str(entry.get("outcome")))
        )
        error = f": {entry['error']}" if entry.get("error") else ""
        lines.append(
            f"• {local_time(entry.get('time'), language, with_zone=False)}  {entry.get('code') or '-'}  "
            f"{pick(language, vi, en)}{error}"
        )
    return lines


def sync_run_text(payload: dict[str, Any] | None, language: str) -> str:
    """`kiosk sync run --drain --json`: whether everything was sent."""
    if payload is None:
        return "\n".join(
            [
                verdict_line("error", language),
                pick(language, "Không chạy được đồng bộ.", "Sync could not run."),
            ]
        )
    drained = bool(payload.get("drained"))
    sent, backlog, dead = payload.get("synced", 0), payload.get("backlog", 0), payload.get("dead_letters", 0)
    return "\n".join(
        [
            verdict_line("ok" if drained else "warning", language),
            pick(
                language,
                f"{'Đã gửi hết' if drained else 'CHƯA gửi hết'}: gửi được {sent}, còn chờ {backlog},"
                f" không gửi được {dead}.",
                f"{'All sent' if drained else 'NOT all sent'}: {sent} sent, {backlog} waiting, {dead} failed.",
            ),
        ]
    )


# -- devices ----------------------------------------------------------------------------------------------
ROLE_WORDS = {
    "scanner": ("Máy quét", "Scanner"),
    "camera": ("Camera", "Camera"),
    "document_printer": ("Máy in A4", "A4 printer"),
    "receipt_printer": ("Máy in biên nhận", "Receipt printer"),
    "chip_reader": ("Đầu đọc chip", "Chip reader"),
    "signal_light": ("Đèn báo", "Signal light"),
    "visit_service": ("Phục vụ công dân", "Citizen service"),
}
STATE_WORDS = {
    "ok": ("hoạt động tốt", "working"),
    "warning": ("cần chú ý", "needs attention"),
    "error": ("LỖI", "ERROR"),
    "absent": ("KHÔNG CÓ", "ABSENT"),
}
REASON_WORDS = {
    "absent": ("không được kết nối", "not connected"),
    "offline": ("tạm ngừng", "offline"),
    "timeout": ("không phản hồi", "does not answer"),
    "busy": ("đang bận", "busy"),
    "paper_out": ("hết giấy", "out of paper"),
    "paper_low": ("sắp hết giấy", "paper low"),
    "cover_open": ("nắp đang mở", "cover open"),
    "paper_jam": ("kẹt giấy", "paper jam"),
    "stopped": ("đã dừng", "stopped"),
    "no_frames": ("không có hình ảnh", "no picture"),
    "config": ("cài đặt chưa đúng", "set up wrongly"),
    "failed": ("không hỏi được trạng thái", "its state cannot be read"),
    "out_of_service": ("ki-ốt tạm ngừng phục vụ", "the kiosk is out of service"),
    "no_document": ("không có giấy trên mặt kính", "nothing on the glass"),
}
KIND_WORDS = {"simulated": ("mô phỏng", "simulated"), "pdf_folder": ("mô phỏng", "simulated")}
# A known detail in words; "" says nothing more than the state and reason already do.
DETAIL_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = (
    (re.compile(r"^(.*\bsimulated\W*)?ready$"), ("", "")),
    (re.compile(r"^.*: card in the field$"), ("có thẻ trong vùng đọc", "a card is in the field")),
    (re.compile(r"^.*: no card$"), ("chưa có thẻ", "no card")),
    (
        re.compile(r"^inbox (?P<a>.+): (?P<b>\d+) page\(s\) waiting$"),
        ("thư mục ảnh quét {a}: {b} trang đang chờ", "scan folder {a}: {b} page(s) waiting"),
    ),
    (re.compile(r"^.*writes to (?P<a>.+)$"), ("in ra thư mục {a}", "prints into the folder {a}")),
    (re.compile(r"^(?P<a>.+): showing (?P<b>\w+)$"), ("{a}: đang hiện “{b}”", "{a}: showing “{b}”")),
    # a simulated device's fault ("simulated: cover open", "chip reader (simulated): unplugged"): the reason
    # word above says it
    (re.compile(r"^(simulated|pdf_folder|[\w ]+\(simulated\)): .*$"), ("", "")),
)


def device_detail(detail: str, language: str) -> str:
    """A driver's detail (technical English) in words where it is a known one; else as it is."""
    for pattern, (vi, en) in DETAIL_PATTERNS:
        found = pattern.match(detail)
        if found:
            return pick(language, vi, en).format(**found.groupdict())
    return detail


def device_line(status: Any, language: str) -> str:
    """One device's state: its role, simulated or not, its state and why, in words."""
    name = str(getattr(status, "name", "?"))
    role = pick(language, *ROLE_WORDS.get(name, (name, name)))
    kind = str(getattr(status, "kind", ""))
    simulated = f" ({pick(language, *KIND_WORDS[kind])})" if kind in KIND_WORDS else ""
    state_key = str(getattr(getattr(status, "state", ""), "value", getattr(status, "state", "")))
    state = pick(language, *STATE_WORDS.get(state_key, (state_key, state_key)))
    reason = str(getattr(status, "reason", "") or "")
    why = f", {pick(language, *REASON_WORDS[reason])}" if reason in REASON_WORDS else ""
    detail = str(getattr(status, "detail", "") or "")
    said = device_detail(detail, language) if detail else ""
    return f"• {role}{simulated}: {state}{why}" + (f"\n    {said}" if said else "")


def devices_text(statuses: list[Any], language: str) -> str:
    if not statuses:
        return pick(language, "Không có thiết bị nào.", "No devices.")
    states = {str(getattr(getattr(s, "state", ""), "value", getattr(s, "state", ""))) for s in statuses}
    level = "error" if states & {"error", "absent"} else "warning" if "warning" in states else "ok"
    return "\n".join([verdict_line(level, language), *(device_line(s, language) for s in statuses)])


# -- the seal certificate -----------------------------------------------------------------------------------
RENEWAL_WORDS = {
    "renewed": ("đã gia hạn", "renewed"),
    "failed": ("không thành công", "failed"),
    "no_key": ("không có khóa", "no key"),
    "not_due": ("chưa đến hạn", "not due"),
}


def seal_certificate_text(data: dict[str, Any], language: str) -> str:
    """The seal certificate's expiry and last renewal (kiosk.runtime.seal_status.maintenance_data), once."""
    if "error" in data:
        return pick(
            language,
            f"Chứng thư con dấu: KHÔNG ĐỌC ĐƯỢC ({data['error']})",
            f"Seal certificate: CANNOT BE READ ({data['error']})",
        )
    days = int(str(data["days_left"]))
    until = local_time(data["not_after"], language, with_zone=False)[:10]
    if days < 0:
        state = pick(language, "ĐÃ HẾT HẠN, ki-ốt không đóng dấu được", "EXPIRED, the kiosk cannot seal")
    elif data.get("renewal_due"):
        state = pick(language, "ĐẾN HẠN GIA HẠN", "RENEWAL DUE")
    else:
        state = pick(language, "chưa đến hạn gia hạn", "renewal not due")
    head = pick(
        language,
        f"Chứng thư con dấu: hết hạn {until} (còn {max(days, 0)} ngày), {state}",
        f"Seal certificate: expires {until} ({max(days, 0)} days left), {state}",
    )
    last = data.get("last_renewal")
    if not isinstance(last, dict):
        return head + pick(language, "\n  Chưa gia hạn lần nào.", "\n  No renewal attempt recorded.")
    outcome = str(last.get("outcome"))
    said = pick(language, *RENEWAL_WORDS.get(outcome, (outcome, outcome)))
    detail = f" ({last['detail']})" if last.get("detail") and outcome in ("failed", "no_key") else ""
    return head + pick(
        language,
        f"\n  Lần gia hạn gần nhất {local_time(last.get('at'), language)}: {said}{detail}",
        f"\n  Last renewal {local_time(last.get('at'), language)}: {said}{detail}",
    )


# -- staff calls ------------------------------------------------------------------------------------------
STAFF_CALL_REASON_WORDS = {
    "citizen_request": ("công dân bấm “Gọi cán bộ”", "the citizen pressed “Call staff”"),
    "unsupported_document": ("giấy tờ ki-ốt không nhận", "a document the kiosk does not take"),
    "face_failures": ("xác thực khuôn mặt không đạt nhiều lần", "repeated face check failures"),
    "payment_cash": ("công dân nộp tiền mặt", "the citizen pays in cash"),
    "device_fault": ("thiết bị gặp sự cố", "a device fault"),
    "out_of_service": ("ki-ốt tạm ngừng phục vụ (thiết bị hỏng)", "the kiosk is out of service (a device)"),
    "other": ("lý do khác", "another reason"),
}


def staff_call_reason(reason: str, language: str) -> str:
    return pick(language, *STAFF_CALL_REASON_WORDS.get(reason, (reason, reason)))
