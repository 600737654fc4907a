"""The staff call reaches the real backend (listed for the operations view) and the light."""

from __future__ import annotations

import pytest

from drivers.signal_light import SimulatedSignalLight
from kiosk.services.staff_call import StaffCallService
from offline_sync.client import BackendClient
from offline_sync.kiosk_api_client import BackendRefused, KioskApiClient
from tests.sync.helpers import Backend, Pki, free_port


def test_raise_and_cancel(api: KioskApiClient, backend: Backend) -> None:
    with SimulatedSignalLight() as light:
        calls = StaffCallService(light, api)
        call = calls.raise_call("citizen_request", visit_ref="HN001PABCDEFGH")
        assert call.light_on and call.reported
        assert light.pattern == "call"
        assert calls.raise_call() == call  # a second tap does not call twice
        listed = api.staff_calls("open")
        assert [(c["call_id"], c["kiosk_id"], c["reason"], c["visit_ref"]) for c in listed] == [
            (call.call_id, "HN-001", "citizen_request", "HN001PABCDEFGH")
        ]
        # another kiosk's certificate does not see this kiosk's calls (the fleet's are on /ops)...
        with backend.client("HN-002") as other:
            assert KioskApiClient(other).staff_calls() == []
            # ...and cannot close this kiosk's call
            with pytest.raises(BackendRefused):
                KioskApiClient(other).cancel_staff_call(call.call_id)
        calls.cancel()
        assert calls.state() is None
        assert light.pattern == "ready"
        assert api.staff_calls("open") == []
        assert api.staff_calls("cancelled")[0]["call_id"] == call.call_id


def test_light_still_calls_when_the_backend_is_down(api: KioskApiClient, pki: Pki) -> None:
    down = KioskApiClient(BackendClient(f"https://127.0.0.1:{free_port()}", pki.ssl_context(), timeout=1))
    with SimulatedSignalLight() as light:
        calls = StaffCallService(light, down)
        call = calls.raise_call("face_failures")
        assert (call.light_on, call.reported) == (True, False)
        assert light.pattern == "call"
        # the backend comes back: the call is reported then
        calls.channel = api
        assert calls.retry_report().reported  # type: ignore[union-attr]
        assert [c["reason"] for c in api.staff_calls("open")] == ["face_failures"]
    down.client.close()


def test_backend_still_told_when_the_light_is_unplugged(api: KioskApiClient) -> None:
    with SimulatedSignalLight() as light:
        light.set_fault("absent")
        call = StaffCallService(light, api).raise_call("device_fault")
        assert (call.light_on, call.reported) == (False, True)


def test_bad_reason_refused() -> None:
    with pytest.raises(ValueError, match="unknown staff-call reason"):
        StaffCallService(None, None).raise_call("bored")
