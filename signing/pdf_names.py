"""The names the kiosk writes into a certified copy's PDF and verification reads back.

Apart from `signing.pades` (which loads pyHanko to sign), so that a module that only needs a name, such as
the kiosk revocation list's date check, stays cheap to import.
"""

FIELD_NAME = "KioskSeal"  # the kiosk's certification signature field
SEAL_KEY = "/VNCopySeal"  # the seal text, kept in the catalogue so verification can read it without a QR
OFFICER_UNIT = "Judicial officer"  # the organisational unit of an officer's certificate (countersignature)
