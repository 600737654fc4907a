"""One SoftHSM2 token folder for the whole test run.

SoftHSM2 reads SOFTHSM2_CONF once, when the PKCS#11 library is first initialised, and python-pkcs11 loads the
library once per process. So a test that points SOFTHSM2_CONF at a folder of its own after another test has
used a token cannot see its token ("token is not present"). Every test that needs a token calls
``shared_token_conf()`` and creates its own token, under its own label, in this one folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_folder: Path | None = None


def shared_token_conf() -> Path:
    """The run's SoftHSM2 config, created on first use and named by SOFTHSM2_CONF from then on."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="kiosk-softhsm-"))
        (_folder / "tokens").mkdir()
        (_folder / "softhsm2.conf").write_text(
            f"directories.tokendir = {_folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        atexit.register(shutil.rmtree, _folder, True)
    conf = _folder / "softhsm2.conf"
    os.environ["SOFTHSM2_CONF"] = str(conf)
    return conf
