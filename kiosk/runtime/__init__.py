"""Process plumbing: logging with redaction, memory between visits, file-permission checks, sd_notify, the fleet heartbeat's device summary and the maintenance PIN."""
