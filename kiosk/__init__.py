"""Smart Kiosk core: config, the visit flow, the certify pipeline, identity, store glue and the CLI.

`kiosk` composes the leaf packages (drivers, ocr, signing, offline_sync); only `ui` sits above it.
"""

__version__ = "0.1.0"
