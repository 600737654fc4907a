"""The kiosks' API: the mutual-TLS endpoints a kiosk calls (ingest, heartbeats, logs, payments, staff calls, holder check) and their OpenAPI document."""
