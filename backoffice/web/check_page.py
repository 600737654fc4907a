"""``/check``: the verify page for phones (issue 22). A checker points the phone's camera at the printed QR
(getUserMedia) or uploads a photo of the page; the page decodes the QR in the browser with jsQR (an npm
package, Apache-2.0, installed by ``systemd/kiosk-dev.sh setup`` into ``var/web-vendor`` and served here
as ``/static/vendor/jsQR.js``: no CDN), posts the QR text to ``/check/verdict``, and shows the verdict
(VALID, REVOKED or NOT VALID) in one large line, then the issued pages.

The verdict is the city's: the QR's code and access token open the city's record (throttled and audited
like ``/v``), and the QR must be the one the city stored for that copy (the SHA-256 of the whole QR text,
``signing.seal_qr.seal_digest``): a genuine code and token under another document's seal, or a seal made
with a leaked key for a code the city does not hold, is NOT VALID with its reason. So is a copy whose
kiosk's seal key the city revoked from a time at or before the copy's (``seal_revoked``), even one the city
stored before the revocation: the current list is applied at every check.

An older copy's QR is a bare VNC1 seal (``signing.seal_v1``: sealed before the VNC2 cutover, no address,
no token). Its verdict (``older_seal_verdict``) holds the QR to the seal the city stored for its code (the
same SHA-256), applies the kiosk revocation list, and refuses a VNC1 seal dated after the cutover; a
VALID one says that it is an older seal and lists what that seal holds (read from the QR the checker
holds, nothing from the record), for the checker to compare with the paper by eye. Without a token the
issued pages are not shown, and a code the city does not hold reads the same as a seal that is not the
one it stored (``older_seal_unknown``): the answer tells nothing that the QR does not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from backoffice.api.kiosk_app import HttpProblem, read_body
from backoffice.services.access_tokens import TOKEN_FORM, TokenBook, copy_facts, seal_revocation
from backoffice.services.auth import audit
from backoffice.services.kiosk_keys import current_revocations
from backoffice.services.postcheck import REVOKE_REASONS
from backoffice.web.common import SECURITY_HEADERS, Web
from backoffice.web.copy_view import client_ip
from signing.errors import SealFormatError
from signing.kiosk_revocation import KioskRevocations
from signing.seal import PREFIX_V1, SealClaims
from signing.seal_qr import parse_seal_qr, seal_digest
from signing.seal_v1 import older_seal_problem

VENDOR_DIR = Path(__file__).resolve().parents[2] / "var" / "web-vendor"
JSQR = Path("node_modules") / "jsqr" / "dist" / "jsQR.js"
MAX_QR_TEXT = 8000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

TEXT = {
    "vi": {
        "title": "Kiểm tra bản sao chứng thực",
        "intro": "Hướng camera vào mã QR in trên bản sao, hoặc chọn ảnh chụp trang giấy.",
        "camera": "Dùng camera",
        "upload": "Chọn ảnh",
        "scanning": "Đang tìm mã QR…",
        "scanning_long": "Vẫn đang tìm: đưa mã QR vào giữa khung hình và lại gần hơn, hoặc chọn ảnh chụp trang giấy.",
        "open_view": "Mở trang bản sao đã cấp",
        "no_qr": "Không tìm thấy mã QR trong ảnh. Hãy chụp gần và rõ hơn.",
        "no_camera": "Không mở được camera. Hãy chọn ảnh chụp trang giấy.",
        "VALID": "HỢP LỆ",
        "REVOKED": "ĐÃ THU HỒI",
        "NOT VALID": "KHÔNG HỢP LỆ",
        "not_seal": "Mã QR này không phải mã của bản sao chứng thực.",
        "unknown_code": "Cơ quan không có bản sao nào mang mã này.",
        "record_mismatch": "Mã QR khác với bản sao mà cơ quan lưu giữ cho mã này.",
        "seal_revoked": "Khóa ký của ki-ốt cấp bản sao này đã bị thu hồi: dấu của bản sao này vô hiệu.",
        "locked": "Thử sai quá nhiều lần; vui lòng thử lại sau.",
        "valid": "Đây là bản sao do cơ quan cấp. So nội dung trang giấy với trang đã cấp dưới đây.",
        "revoked": "Bản sao này đã bị thu hồi: {reason}.",
        "valid_older_seal": (
            "Bản sao cấp trước ngày 06/12/2026, mang dấu kiểu cũ (VNC1): cơ quan xác nhận mã QR này đúng là "
            "mã đã cấp cho bản sao. Dấu kiểu cũ chỉ ghi mã, loại giấy tờ, số trang, thời điểm cấp, họ tên và số "
            "định danh (che) của người đứng tên, số và ngày của giấy tờ (liệt kê dưới đây): hãy so các thông "
            "tin đó, và phần còn lại của trang giấy, bằng mắt với bản sao."
        ),
        "older_seal_unknown": "Cơ quan không có bản sao nào mang dấu (mã QR) này.",
        "older_seal_late": (
            "Dấu kiểu cũ (VNC1) này ghi thời điểm cấp sau khi các ki-ốt đã ngừng dùng kiểu dấu đó: dấu không "
            "hợp lệ."
        ),
        "f_code": "Mã bản sao",
        "f_doc_type": "Loại giấy tờ",
        "f_pages": "Số trang",
        "f_issued_at": "Thời điểm cấp (UTC)",
        "f_holder_name": "Người đứng tên",
        "f_holder": "Số định danh (che)",
        "f_doc_number": "Số giấy tờ",
        "f_doc_date": "Ngày giấy tờ",
        "language": "English",
    },
    "en": {
        "title": "Check a certified copy",
        "intro": "Point the camera at the QR printed on the copy, or choose a photo of the page.",
        "camera": "Use the camera",
        "upload": "Choose a photo",
        "scanning": "Looking for the QR…",
        "scanning_long": "Still looking: bring the QR to the middle of the picture and closer, or choose a photo instead.",
        "open_view": "Open the issued copy's page",
        "no_qr": "No QR found in the picture. Take it closer and sharper.",
        "no_camera": "The camera could not be opened. Choose a photo of the page instead.",
        "VALID": "VALID",
        "REVOKED": "REVOKED",
        "NOT VALID": "NOT VALID",
        "not_seal": "This QR is not a certified copy's seal.",
        "unknown_code": "The city holds no copy with this code.",
        "record_mismatch": "The QR differs from the copy the city holds for this code.",
        "seal_revoked": "The seal key of the kiosk that issued this copy was revoked: this copy's seal is void.",
        "locked": "Too many wrong attempts; please try again later.",
        "valid": "This copy was issued by the city. Compare the paper with the issued page below.",
        "revoked": "This copy was revoked: {reason}.",
        "valid_older_seal": (
            "Older seal (VNC1), issued before 6 Dec 2026: the city confirms this QR is the one it issued for "
            "this copy. An older seal holds only the code, document type, page count, issue time, the "
            "holder's name and masked ID, and the document's number and date (listed below): compare them, "
            "and the rest of the paper by eye, with the copy."
        ),
        "older_seal_unknown": "The city holds no copy with this seal.",
        "older_seal_late": (
            "This older-format seal (VNC1) says it was issued after kiosks stopped using that format: it is "
            "not valid."
        ),
        "f_code": "Copy code",
        "f_doc_type": "Document type",
        "f_pages": "Pages",
        "f_issued_at": "Issued (UTC)",
        "f_holder_name": "Holder",
        "f_holder": "Holder's ID (masked)",
        "f_doc_number": "Document number",
        "f_doc_date": "Document date",
        "language": "Tiếng Việt",
    },
}

CHECK_CSP = (
    "default-src 'none'; img-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "media-src 'self' blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def qr_code_and_token(text: str) -> tuple[str, str, str] | None:
    """(code, token, verify URL) from the QR text: its address part when there is one, else the seal's
    claims. None when it is not a certified-copy QR."""
    text = text.strip()
    try:
        claims = parse_seal_qr(text)
    except SealFormatError:
        return None
    code, token = claims.code, claims.access_token
    head = text.split("#", 1)[0] if "#" in text else ""
    if head:
        parts = urlsplit(head)
        match = re.fullmatch(r".*/v/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})", parts.path)
        given = parse_qs(parts.query).get("t", [""])[0]
        if match is None or match.group(1) != code or given != token:
            return None  # an address that is not the one the seal signs
    return code, token, claims.verify_url


def city_verdict(
    book: TokenBook, text: str, ip: str, revocations: KioskRevocations | None = None
) -> dict[str, Any]:
    """The city's verdict on a decoded QR: VALID, REVOKED or NOT VALID, with a reason key. ``revocations``:
    the current kiosk revocation list; a copy it voids is NOT VALID (``seal_revoked``), even one the city
    stored before the revocation."""
    if text.strip().startswith(PREFIX_V1):
        return older_seal_verdict(book, text, ip, revocations)
    found = qr_code_and_token(text)
    if found is None:
        return {"verdict": "NOT VALID", "reason_key": "not_seal"}
    code, token, _url = found
    if not _CODE.fullmatch(code) or not TOKEN_FORM.fullmatch(token or ""):
        return {"verdict": "NOT VALID", "reason_key": "not_seal", "code": code}
    outcome = book.attempt(code, token, ip)
    if outcome.startswith("locked:"):
        return {"verdict": "NOT VALID", "reason_key": "locked", "code": code}
    if outcome != "granted":
        # The city holds no copy that this code and token open: unknown, or a token of another copy.
        return {"verdict": "NOT VALID", "reason_key": "unknown_code", "code": code}
    facts = copy_facts(book, code)
    if facts is None or facts.get("seal_digest") != seal_digest(text):
        return {"verdict": "NOT VALID", "reason_key": "record_mismatch", "code": code}
    if seal_revocation(book, code, revocations) is not None:
        return {"verdict": "NOT VALID", "reason_key": "seal_revoked", "code": code}
    view = f"/v/{code}?t={token}"
    pages = [f"/v/{code}/pages/{n}.png?t={token}" for n in range(1, int(facts["pages"]) + 1)]
    if facts["status"] == "revoked":
        reason = facts.get("revoked_reason") or "other_reason"
        return {
            "verdict": "REVOKED",
            "reason_key": "revoked",
            "code": code,
            "revoked_reason": reason,
            "revoked_reason_label": REVOKE_REASONS.get(reason),
            "view": view,
            "pages": pages,
        }
    return {"verdict": "VALID", "reason_key": "valid", "code": code, "view": view, "pages": pages}


def older_sealed_facts(claims: SealClaims) -> list[tuple[str, str]]:
    """What an older (VNC1) seal holds, as (key, value) for the page: all of it read from the QR itself."""
    facts = [
        ("code", claims.code),
        ("doc_type", claims.doc_type.replace("_", " ")),
        ("pages", str(claims.pages)),
        ("issued_at", f"{claims.issued_at:%Y-%m-%d %H:%M}"),
        ("holder_name", claims.holder_name),
        ("holder", claims.holder),
        ("doc_number", claims.doc_number),
        ("doc_date", claims.doc_date),
    ]
    return [(key, value) for key, value in facts if value]


def older_seal_verdict(
    book: TokenBook, text: str, ip: str, revocations: KioskRevocations | None = None
) -> dict[str, Any]:
    """The city's verdict on an older copy's QR (a bare VNC1 seal, no token): VALID only when it is the
    very seal the city stored for its code (verified at upload), dated before the VNC2 cutover, and its
    kiosk's key is not revoked from before it; REVOKED when the copy was revoked. Audited."""
    text = text.strip()
    try:
        claims = parse_seal_qr(text)
    except SealFormatError:
        return {"verdict": "NOT VALID", "reason_key": "not_seal"}
    code = claims.code
    answer: dict[str, Any]
    if not _CODE.fullmatch(code):
        return {"verdict": "NOT VALID", "reason_key": "not_seal"}
    if older_seal_problem(claims.issued_at) is not None:
        answer = {"verdict": "NOT VALID", "reason_key": "older_seal_late"}
    else:
        facts = copy_facts(book, code)
        if facts is None or facts.get("seal_digest") != seal_digest(text):
            answer = {"verdict": "NOT VALID", "reason_key": "older_seal_unknown"}
        elif seal_revocation(book, code, revocations) is not None:
            answer = {"verdict": "NOT VALID", "reason_key": "seal_revoked"}
        elif facts["status"] == "revoked":
            reason = facts.get("revoked_reason") or "other_reason"
            answer = {
                "verdict": "REVOKED",
                "reason_key": "revoked",
                "revoked_reason": reason,
                "revoked_reason_label": REVOKE_REASONS.get(reason),
            }
        else:
            answer = {
                "verdict": "VALID",
                "reason_key": "valid_older_seal",
                "sealed": older_sealed_facts(claims),
            }
    audit(book.db, f"public:{ip}", "copy.older_seal_check", code, answer["reason_key"])
    return {**answer, "code": code, "seal_format": claims.seal_format}


def check_routes(web: Web, book: TokenBook, *, vendor_dir: Path | None = None) -> list[BaseRoute]:
    vendor = Path(vendor_dir or VENDOR_DIR)
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": CHECK_CSP}

    async def page(request: Request) -> Response:
        lang = web.lang(request)
        html = web.env.get_template("check.html").render(
            lang=lang, tt=TEXT[lang], texts=json.dumps(TEXT[lang])
        )
        return HTMLResponse(html, headers=headers)

    async def verdict(request: Request) -> Response:
        try:
            body = await read_body(request, MAX_QR_TEXT * 2)
            data = json.loads(body or b"{}")
        except HttpProblem as exc:
            return JSONResponse({"error": exc.error}, status_code=exc.status)
        except ValueError:
            return JSONResponse({"error": 'expected a JSON object {"qr": TEXT}'}, status_code=400)
        text = data.get("qr") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_QR_TEXT or "\x00" in text:
            return JSONResponse({"error": 'expected a JSON object {"qr": TEXT}'}, status_code=400)
        answer = await run_in_threadpool(
            lambda: city_verdict(book, text, client_ip(request), current_revocations(web.db))
        )
        status = 429 if answer["reason_key"] == "locked" else 200
        return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})

    async def script(request: Request) -> Response:
        return Response(CHECK_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=300"})

    async def decoder(request: Request) -> Response:
        path = vendor / JSQR
        if not path.is_file():
            return JSONResponse(
                {"error": "the QR decoder is not installed: run `bash systemd/kiosk-dev.sh setup`"},
                status_code=503,
            )
        data = await run_in_threadpool(path.read_bytes)
        return Response(data, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    return [
        Route("/check", page, methods=["GET"]),
        Route("/check/verdict", verdict, methods=["POST"]),
        Route("/static/check.js", script, methods=["GET"]),
        Route("/static/vendor/jsQR.js", decoder, methods=["GET"]),
    ]


CHECK_JS = r"""// /check: decode the printed QR in the browser (jsQR), ask the city, show the verdict.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var video = document.getElementById("video");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null, done = false;
  var tries = 0, started = 0, hinted = false, timer = null;

  function say(text) { document.getElementById("hint").textContent = text; }

  // jsQR wants modules of about 4 to 8 pixels: a picture is tried as it is, smaller, then larger. On a whole
  // page of text jsQR can miss the QR's finder patterns at every scale (about 1 photo in 30 of a 300 dpi
  // page): half-size windows overlapping by half come next, the seal's corner first.
  function attempts(width, height) {
    var list = [];
    [1, 0.5, 0.75, 1.5, 2].forEach(function (scale) {
      var w = Math.round(width * scale), h = Math.round(height * scale);
      if (w >= 100 && w * h <= 16e6) list.push({ x: 0, y: 0, sw: width, sh: height, w: w, h: h, smooth: scale < 1 });
    });
    var sw = Math.round(width / 2), sh = Math.round(height / 2);
    if (sw < 100 || sw * sh > 16e6) return list;
    for (var wy = 2; wy >= 0; wy--) {
      for (var wx = 2; wx >= 0; wx--) {
        list.push({ x: Math.round(wx * width / 4), y: Math.round(wy * height / 4), sw: sw, sh: sh, w: sw, h: sh,
                    smooth: false });
      }
    }
    return list;
  }

  function attempt(source, a) {
    canvas.width = a.w; canvas.height = a.h;
    ctx.imageSmoothingEnabled = a.smooth;
    ctx.drawImage(source, a.x, a.y, a.sw, a.sh, 0, 0, a.w, a.h);
    var found = jsQR(ctx.getImageData(0, 0, a.w, a.h).data, a.w, a.h, { inversionAttempts: "attemptBoth" });
    return found && found.data ? found.data : null;
  }

  // A photo: every attempt, in order.
  function decode(source, width, height) {
    var list = attempts(width, height);
    for (var i = 0; i < list.length; i++) {
      var text = attempt(source, list[i]);
      if (text) return text;
    }
    return null;
  }

  function show(answer) {
    say("");
    var line = document.getElementById("verdict");
    line.textContent = T[answer.verdict] || answer.verdict;
    line.className = "verdict v-" + answer.verdict.replace(" ", "-").toLowerCase();
    line.setAttribute("data-verdict", answer.verdict);
    line.setAttribute("data-reason", answer.reason_key || "");
    var detail = T[answer.reason_key] || "";
    if (answer.verdict === "REVOKED" && answer.revoked_reason_label) {
      detail = T.revoked.replace("{reason}", answer.revoked_reason_label[document.documentElement.lang] || "");
    }
    document.getElementById("detail").textContent = detail;
    // An older copy (VNC1 seal): what its seal holds, for the checker to compare with the paper by eye.
    var sealed = document.getElementById("sealed");
    sealed.textContent = "";
    (answer.sealed || []).forEach(function (item) {
      var term = document.createElement("dt");
      term.textContent = T["f_" + item[0]] || item[0];
      var value = document.createElement("dd");
      value.textContent = item[1];
      value.setAttribute("data-key", item[0]);
      sealed.appendChild(term);
      sealed.appendChild(value);
    });
    sealed.hidden = !(answer.sealed && answer.sealed.length);
    var pages = document.getElementById("pages");
    pages.textContent = "";
    (answer.pages || []).forEach(function (src, i) {
      var img = document.createElement("img");
      img.src = src; img.alt = "page " + (i + 1); img.id = "page-" + (i + 1);
      pages.appendChild(img);
    });
    if (answer.view) {
      var link = document.getElementById("view");
      link.href = answer.view; link.textContent = T.open_view; link.hidden = false;
    }
  }

  function ask(text) {
    done = true;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    fetch("/check/verdict", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ qr: text })
    }).then(function (r) { return r.json(); }).then(show).catch(function () {
      show({ verdict: "NOT VALID", reason_key: "" });
    });
  }

  // The camera: one attempt per frame, the next scale or window each time, so no frame holds the page for
  // the whole list and a moving phone gets every attempt on a fresh picture. A frame that cannot be read
  // (the camera still starting, a canvas the browser refuses) is skipped, never the end of the search; the
  // video element carries how many frames were tried and the last error, for whoever debugs a phone.
  function tick() {
    if (done || !stream) return;
    try {
      if (video.readyState >= 2 && video.videoWidth) {
        var list = attempts(video.videoWidth, video.videoHeight);
        var next = list.length ? list[tries % list.length] : null;
        tries += 1;  // before the attempt: one that throws is not tried again on the next frame
        video.setAttribute("data-tries", String(tries));
        var text = next ? attempt(video, next) : null;
        if (text) { ask(text); return; }
      }
    } catch (err) {
      video.setAttribute("data-error", String((err && err.message) || err));
    }
    if (!hinted && Date.now() - started > 10000) { hinted = true; say(T.scanning_long); }
    timer = setTimeout(tick, 100);
  }

  document.getElementById("camera").addEventListener("click", function () {
    done = false;
    say(T.scanning);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
        stream = s; video.srcObject = s; video.hidden = false;
        tries = 0; started = Date.now(); hinted = false;
        clearTimeout(timer);
        // A muted inline video may play at once; the frames are read whether or not play() has settled.
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
        tick();
      })
      .catch(function () { say(T.no_camera); });
  });

  document.getElementById("photo").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    say(T.scanning);
    createImageBitmap(file).then(function (bitmap) {
      var text = decode(bitmap, bitmap.width, bitmap.height);
      if (text) { ask(text); } else { say(T.no_qr); }
    }).catch(function () { say(T.no_qr); });
  });
})();
"""
