"""signing: keys and certificates, the QR seal, the certified-copy PDF (render + PAdES) and verification.

* ``init_dev_keys`` / ``load_seal_signer`` / ``load_trust_store`` (keys.py, pkcs11_keys.py, trust.py):
  a development city root CA and the kiosk seal certificate (EC P-256); the seal key as encrypted PKCS#8
  or on a PKCS#11 token; ``certificate_status`` for the 30-day expiry warning.
* ``issue_certified_copy`` (certify.py): encode the page images (images.py), make the QR seal (seal.py:
  CWT in COSE_Sign1 ES256, zlib, base45, ``VNC2:``; older copies' ``VNC1:`` seals are read and judged,
  never made: seal_v1.py), render with reportlab (render.py) and sign PAdES B-B,
  or B-T with a timestamp authority (pades.py).
* ``verify_pdf`` / ``verify_seal_text`` / ``verify_printed_page`` / ``verify_paper_page`` (verify.py,
  structure.py, revisions.py, content.py, paper.py, fingerprint.py): the verdict with a ``reason_key`` per
  kind of forgery and a sentence for a person.
* ``make_code`` / ``is_valid_code`` / ``normalize_code`` (code.py): identity codes with an ISO 7064
  MOD 37,36 check character.

Import the module that holds what you need (``from signing.certify import issue_certified_copy``): the
package re-exports nothing, so importing one module (the config model, say) loads no other.
"""
