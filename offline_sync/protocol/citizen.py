"""What a citizen takes away besides the paper: a delivery e-mail address and a retrieval secret.

Shared by the kiosk (which checks the address the citizen typed, makes the secret and prints it) and the
backend (which checks the address again and verifies a secret typed on the public listener). Plain
functions, no I/O, no DNS.

The retrieval secret is 10 characters of Crockford base32 (50 bits from `secrets`), shown as XXXXX-XXXXX.
Only a scrypt hash of it, salted per record, leaves the kiosk: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`
with the salt and hash in unpadded base64url.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_LENGTH = 64
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_LENGTH = 10
# Typed by a person: the letters Crockford folds onto digits, and the separators people add.
_FOLD = str.maketrans({"I": "1", "L": "1", "O": "0"})
# The canonical secret (normalize_secret's output): 10 Crockford base32 characters.
RETRIEVAL_SECRET_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{10}$"  # noqa: S105
SECRET_HASH_PATTERN = r"^scrypt\$1[0-9]\$[0-9]{1,2}\$[0-9]\$[A-Za-z0-9_-]{16,64}\$[A-Za-z0-9_-]{32,64}$"  # noqa: S105
_SCRYPT_LOG_N = 14
_SCRYPT_R = 8
_SCRYPT_P = 1


class EmailError(ValueError):
    """The address is not of a form we can deliver to; `reason` is a short machine key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_email(raw: str) -> str:
    """The address in canonical form (trimmed, domain in lower case), or EmailError.

    Deliberately narrower than RFC 5322: a dot-atom local part (no quoted strings, no comments), an ASCII
    host name of at least two labels with an alphabetic top-level label (no IP literals), no whitespace or
    control characters anywhere, at most 254 characters. Internationalised domains are accepted in their
    punycode (xn--) form, which is what the kiosk's keyboard can type.
    """
    if not isinstance(raw, str):
        raise EmailError("type", "the address must be text")
    value = raw.strip()
    if not value:
        raise EmailError("empty", "the address is empty")
    if len(value) > MAX_EMAIL_LENGTH:
        raise EmailError("too_long", f"the address is longer than {MAX_EMAIL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        raise EmailError("space", "the address contains a space or a control character")
    if not value.isascii():
        raise EmailError("not_ascii", "the address contains characters outside ASCII")
    if value.count("@") != 1:
        raise EmailError("at_sign", "the address must contain exactly one @")
    local, domain = value.split("@")
    if not local or len(local) > MAX_LOCAL_LENGTH:
        raise EmailError("local", f"the part before @ must have 1 to {MAX_LOCAL_LENGTH} characters")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise EmailError("local_dots", "the part before @ has a misplaced dot")
    if not all(_ATEXT.match(atom) for atom in local.split(".")):
        raise EmailError("local_chars", "the part before @ contains a character that is not allowed")
    domain = domain.lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise EmailError("domain", "the part after @ is not a host name (like example.vn)")
    top = labels[-1]
    if not (top.isalpha() and len(top) >= 2) and not top.startswith("xn--"):
        raise EmailError("domain_tld", "the part after @ does not end in a top-level domain")
    return f"{local}@{domain}"


# ------------------------------------------------------------------------------------ retrieval secret


def new_retrieval_secret() -> str:
    """A fresh secret: 10 Crockford base32 characters (50 bits), without the display hyphen."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(SECRET_LENGTH))


def display_secret(secret: str) -> str:
    """XXXXX-XXXXX, as printed on the receipt."""
    return f"{secret[:5]}-{secret[5:]}"


def normalize_secret(typed: str) -> str | None:
    """What a person typed, as the canonical secret, or None if it cannot be one (wrong length or alphabet)."""
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    value = re.sub(r"[\s\-_.]", "", typed).upper().translate(_FOLD)
    if len(value) != SECRET_LENGTH or any(ch not in CROCKFORD for ch in value):
        return None
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, code: str, salt: bytes, *, log_n: int, r: int, p: int) -> bytes:
    # The code is bound in, so a hash copied onto another record does not open it.
    message = f"{code}\x00{secret}".encode()
    return hashlib.scrypt(message, salt=salt, n=1 << log_n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_retrieval_secret(secret: str, code: str) -> str:
    """The stored form of a secret for one record (see the module docstring)."""
    canonical = normalize_secret(secret)
    if canonical is None:
        raise ValueError("not a retrieval secret")
    salt = secrets.token_bytes(16)
    digest = _scrypt(canonical, code, salt, log_n=_SCRYPT_LOG_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${_SCRYPT_LOG_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_retrieval_secret(typed: str, code: str, stored: str) -> bool:
    """True when `typed` is the secret whose hash is `stored` for this code. Constant time on the digest."""
    canonical = normalize_secret(typed)
    if canonical is None or not re.match(SECRET_HASH_PATTERN, stored or ""):
        return False
    _, log_n, r, p, salt, digest = stored.split("$")
    if not (10 <= int(log_n) <= 17 and 1 <= int(r) <= 16 and int(p) == 1):
        return False
    actual = _scrypt(canonical, code, _unb64(salt), log_n=int(log_n), r=int(r), p=int(p))
    return hmac.compare_digest(actual, _unb64(digest))


def retrieval_url(public_base_url: str, code: str, secret: str | None = None) -> str:
    """The retrieval page of a copy; with the secret in the fragment, which browsers never send."""
    base = public_base_url.rstrip("/")
    return f"{base}/r/{code}" + (f"#s={secret}" if secret else "")


def status_url(public_base_url: str, code: str) -> str:
    return f"{public_base_url.rstrip('/')}/v/{code}"
