"""Issue 22, item 3: /check in headless Chromium. The QR of a printed page (the issued PDF rendered at
300 dpi, as a phone photographs it) is decoded in the browser by jsQR (the npm package the setup
installs, served by the backend) from a fake camera (a y4m video of the page) and from an uploaded photo;
the verdict is one large line, then the issued page. A revoked copy reads REVOKED, a genuine code under
another document's seal NOT VALID. The copy view a phone opens from the QR (/v/{code}?t=) shows the status,
the sealed fields and the issued page. Screenshots go to the test's folder, or to docs/screenshots when
KIOSK_SCREENSHOTS=1."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backoffice.services.auth import add_user
from backoffice.services.postcheck import revoke
from backoffice.web.check_page import JSQR, VENDOR_DIR
from tests.backoffice.browser import chromium
from tests.backoffice.helpers import PASSWORD, Kiosks
from tests.backoffice.online_city import OnlineCity
from tests.sync.helpers import Pki

pytestmark = pytest.mark.skipif(
    not (VENDOR_DIR / JSQR).is_file(), reason="jsQR is not installed: run `bash systemd/kiosk-dev.sh setup`"
)


REPO = Path(__file__).resolve().parents[2]


def _shots(tmp_path: Path) -> Path:
    return REPO / "docs" / "screenshots" if os.environ.get("KIOSK_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def printed_page(pdf: bytes, dpi: int = 300) -> Image.Image:
    """Page 1 as a phone photographs a printed page (about 300 dpi: 12 MP over an A4 sheet)."""
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return Image.open(io.BytesIO(done.stdout)).convert("RGB")


def write_y4m(image: Image.Image, path: Path, frames: int = 3) -> Path:
    """A YUV4MPEG2 (4:2:0) video showing ``image``: what Chromium's fake camera plays in a loop."""
    width, height = (image.width // 2) * 2, (image.height // 2) * 2
    ycbcr = np.asarray(image.crop((0, 0, width, height)).convert("YCbCr"), dtype=np.uint8)
    y = ycbcr[:, :, 0]
    u = ycbcr[:, :, 1].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3)).astype(np.uint8)
    v = ycbcr[:, :, 2].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3)).astype(np.uint8)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())
    return path


def wait_verdict(driver: object, timeout: float = 90.0) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    line = driver.find_element("id", "verdict")  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        verdict = line.get_attribute("data-verdict")
        if verdict:
            return str(verdict), str(line.get_attribute("data-reason"))
        time.sleep(0.3)
    state = driver.execute_script(  # type: ignore[attr-defined]
        "var v = document.getElementById('video');"
        "return [v.readyState, v.videoWidth, v.videoHeight, v.getAttribute('data-tries'), v.getAttribute('data-error')];"
    )
    hint = driver.find_element("id", "hint").text  # type: ignore[attr-defined]
    raise AssertionError(
        f"no verdict: {hint} (video readyState, width, height, frames tried, last error: {state})"
    )


def page_shown(driver: object) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        width = driver.execute_script(  # type: ignore[attr-defined]
            "var i = document.getElementById('page-1'); return i && i.complete ? i.naturalWidth : 0;"
        )
        if width:
            return True
        time.sleep(0.3)
    return False


def upload(driver: object, base: str, photo: Path) -> tuple[str, str]:
    driver.get(f"{base}/check?lang=en")  # type: ignore[attr-defined]
    driver.find_element("id", "photo").send_keys(str(photo))  # type: ignore[attr-defined]
    return wait_verdict(driver)


def test_check_with_a_fake_camera_showing_the_printed_page(city: OnlineCity, tmp_path: Path) -> None:
    copy = city.stored_copy()
    video = write_y4m(printed_page(copy.pdf), tmp_path / "page.y4m")
    flags = (
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    with chromium(420, 900, extra_flags=flags) as driver:
        driver.get(f"{city.public_url}/check")  # type: ignore[attr-defined]
        driver.find_element("id", "camera").click()  # type: ignore[attr-defined]
        verdict, reason = wait_verdict(driver)
        assert (verdict, reason) == ("VALID", "valid")
        assert driver.find_element("id", "verdict").text == "HỢP LỆ"  # type: ignore[attr-defined]
        assert page_shown(driver)  # the issued page, from the city
        driver.save_screenshot(str(_shots(tmp_path) / "check-phone-valid.png"))  # type: ignore[attr-defined]


def test_a_camera_showing_no_qr_keeps_looking_then_says_how_to_go_on(city: OnlineCity) -> None:
    """Chromium's own fake camera (a moving test pattern, no QR): the page tries frame after frame, never
    gives a verdict, and after 15 s tells the checker to come closer or choose a photo."""
    flags = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
    with chromium(420, 900, lang="en", extra_flags=flags) as driver:
        driver.get(f"{city.public_url}/check?lang=en")  # type: ignore[attr-defined]
        driver.find_element("id", "camera").click()  # type: ignore[attr-defined]
        deadline = time.monotonic() + 60
        hint = ""
        while time.monotonic() < deadline:
            hint = driver.find_element("id", "hint").text  # type: ignore[attr-defined]
            if hint.startswith("Still looking"):
                break
            time.sleep(0.5)
        assert hint.startswith("Still looking"), hint
        tries = driver.execute_script("return document.getElementById('video').getAttribute('data-tries');")  # type: ignore[attr-defined]
        assert int(tries) >= 20, tries  # one attempt per tick, every 100 ms at most, for 10 s
        assert driver.find_element("id", "verdict").get_attribute("data-verdict") == ""  # type: ignore[attr-defined]
        assert "choose a photo" in hint


def test_the_copy_view_a_phone_opens_from_the_qr(city: OnlineCity, tmp_path: Path) -> None:
    """/v/{code}?t=TOKEN on a phone-sized screen: the status, every sealed field and the issued page image."""
    copy = city.stored_copy()
    with chromium(420, 900) as driver:
        driver.get(f"{city.public_url}/v/{copy.code}?t={copy.token}")  # type: ignore[attr-defined]
        text = driver.find_element("tag name", "body").text  # type: ignore[attr-defined]
        for value in ("Trần Thị Bình", "Lê Thị Hoa", "Trần Văn Nam", "337/KS", copy.code):
            assert value in text, value
        assert page_shown(driver)
        driver.save_screenshot(str(_shots(tmp_path) / "copy-view-phone.png"))  # type: ignore[attr-defined]
        # the same address without the token: the status alone, no field, no page
        driver.get(f"{city.public_url}/v/{copy.code}")  # type: ignore[attr-defined]
        bare = driver.find_element("tag name", "body").text  # type: ignore[attr-defined]
        assert "Trần Thị Bình" not in bare and "337/KS" not in bare
        assert not driver.find_elements("id", "page-1")  # type: ignore[attr-defined]


def test_check_with_an_uploaded_photo_genuine_revoked_and_forged(city: OnlineCity, tmp_path: Path) -> None:
    genuine = city.stored_copy()
    photo = tmp_path / "page.png"
    printed_page(genuine.pdf).save(photo)
    token = base64.b32decode(genuine.token.upper() + "======")
    forged = city.issue_copy("HN-001", code=genuine.code, doc_type="diploma", token=token)  # a leaked key
    forged_photo = tmp_path / "forged.png"
    printed_page(forged.pdf).save(forged_photo)
    with chromium(420, 900) as driver:
        assert upload(driver, city.public_url, photo) == ("VALID", "valid")
        assert driver.find_element("id", "verdict").text == "VALID"  # type: ignore[attr-defined]
        assert page_shown(driver)
        assert upload(driver, city.public_url, forged_photo) == ("NOT VALID", "record_mismatch")
        assert not driver.find_elements("id", "page-1")  # type: ignore[attr-defined]
        assert city.db is not None
        add_user(city.db, "hoa.nt", PASSWORD, "admin", "Nguyễn Thị Hoa")
        revoke(city.db, genuine.code, username="hoa.nt", reason="Nguyễn Văn An", reason_code="identity_doubt")
        assert upload(driver, city.public_url, photo) == ("REVOKED", "revoked")
        detail = driver.find_element("id", "detail").text  # type: ignore[attr-defined]
        assert "Doubt about the requester" in detail and "Nguyễn Văn An" not in driver.page_source  # type: ignore[attr-defined]
