"""Issue 25 walk W9/W12: the out-of-service screen says "Staff have been told", so the kiosk raises a staff
call (reason ``out_of_service``) that lights the tower and reaches the real city backend, where /ops lists
it: both when a citizen's visit finds a device down and when the idle re-check does."""

from __future__ import annotations

from typing import Any

from drivers.errors import DeviceAbsent, PaperOut
from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
from kiosk.services.staff_call import StaffCallService
from offline_sync.kiosk_api_client import KioskApiClient
from tests.payment.test_paid_not_printed import KioskServices, kiosk  # noqa: F401 (the fixture)


class Light:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, pattern: str) -> None:
        self.shown.append(pattern)


def test_a_visit_that_finds_the_printer_down_calls_staff(kiosk: KioskServices, api: KioskApiClient) -> None:  # noqa: F811
    light = Light()
    kiosk.staff_calls = StaffCallService(light, api)
    kiosk.a4.fault = DeviceAbsent
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.out_of_service
    call = kiosk.staff_calls.state()
    assert call is not None and call.reason == "out_of_service" and call.reported
    assert light.shown == ["call"]
    assert [c["reason"] for c in api.staff_calls("open")] == ["out_of_service"]  # what /ops lists
    # the reset that ends the screen does not close the call: staff still have to come
    flow.clock = lambda: 10**9
    flow.idle_status()
    assert flow.screen == Screen.attract
    assert kiosk.staff_calls.state() is not None


def test_the_idle_check_that_puts_the_kiosk_out_of_service_calls_staff_once(
    kiosk: KioskServices,  # noqa: F811
    api: KioskApiClient,
) -> None:
    kiosk.staff_calls = StaffCallService(Light(), api)
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.check_devices_while_idle()
    assert flow.screen == Screen.attract and kiosk.staff_calls.state() is None  # all works: no call
    kiosk.receipt_printer.fault = PaperOut
    flow.check_devices_while_idle()
    assert flow.screen == Screen.out_of_service
    flow.check_devices_while_idle()  # still down: the screen stays, no second call
    open_calls: list[dict[str, Any]] = api.staff_calls("open")
    assert [c["reason"] for c in open_calls] == ["out_of_service"]


def test_without_a_staff_call_service_the_screen_still_comes(kiosk: KioskServices) -> None:  # noqa: F811
    kiosk.staff_calls = None
    kiosk.a4.fault = DeviceAbsent
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.out_of_service and flow.visit.queue_ticket is not None
