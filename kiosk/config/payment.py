"""The `[payment]` table: where the fee is paid to, and how long the kiosk waits for the bank."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PaymentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # "vietqr": the citizen pays the fee by VietQR, confirmed through the city backend, before anything
    # prints; "off": no payment step (fee-exempt deployments, development).
    mode: str = Field(default="vietqr", pattern=r"^(vietqr|off)$")
    # The service centre's collection account: NAPAS bank BIN (6 digits) and account number.
    bank_bin: str = Field(default="970415", pattern=r"^\d{6}$")
    account: str = Field(default="113366668888", pattern=r"^[0-9A-Za-z]{1,19}$")
    # The beneficiary's name as the bank app shows it (ASCII, upper case).
    payee_name: str = Field(default="TT PHUC VU HANH CHINH CONG HN", pattern=r"^[A-Z0-9 .-]{1,25}$")
    # How long the payment screen waits for the backend's confirmation, and how often it asks.
    timeout_s: float = Field(default=180.0, gt=0, le=1800)
    poll_interval_s: float = Field(default=1.0, gt=0, le=30)
    # The simulated citizen of the simulated profile and `kiosk demo` (issue 25): how long after the QR shows
    # they pay, and whether they pay ("pay"), send a transfer the city refuses (a wrong amount: "refuse"), or
    # never pay ("never"), so the payment time-out, "cancel" and "cash at the counter" can be walked.
    simulated_payer_delay_s: float = Field(default=1.0, ge=0, le=600)
    simulated_payer: Literal["pay", "refuse", "never"] = "pay"
