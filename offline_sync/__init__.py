"""offline_sync: the kiosk's local store and outbox, the sync worker and the sync log (the kiosk's side), and
`offline_sync.protocol`, the wire protocol that the kiosk and the city's back office share.

Import the modules themselves (``offline_sync.store``, ``offline_sync.worker``...): this package imports
nothing, so the city's side can import ``offline_sync.protocol`` without loading the kiosk's store."""
