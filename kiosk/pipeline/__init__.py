"""The visit's work: the certify pipeline's steps and the kiosk's side of the local store."""
