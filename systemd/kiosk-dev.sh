#!/usr/bin/env bash
# Smart Kiosk developer set-up: the README's two commands.
#
#   bash systemd/kiosk-dev.sh run    install what is missing, then run the kiosk on simulated devices:
#                                    the window where there is a display, else the headless demo
#   bash systemd/kiosk-dev.sh test   install what is missing, then run every check and the whole test suite
#   bash systemd/kiosk-dev.sh setup  install only
#
# On a fresh Debian 12 machine, as root (or with sudo), this installs the system packages and the Python
# virtual environment (.venv in the repository). Both steps are skipped when already done, so a second run
# starts at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.kiosk-installed"

APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential
  fonts-noto-core fonts-liberation2 fonts-freefont-ttf
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd
  libzbar0 poppler-utils fonts-dejavu-core
  sane-utils libsane1
  cups cups-client cups-bsd printer-driver-cups-pdf
  softhsm2 opensc libnss3-tools strace
  cage bubblewrap shellcheck libseccomp2 libpam-systemd
  postgresql
  chromium chromium-driver
  nodejs npm
  espeak-ng sox
  pcscd vsmartcard-vpcd libpcsclite-dev swig
  systemd
  libgl1 libglib2.0-0 libegl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; return 1; fi
}

install_system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    # A Node.js from another source (NodeSource's nodejs bundles npm) conflicts with Debian's npm package:
    # a working command is enough.
    case "$pkg" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  say "Python 3.11 not found (Debian 12's python3 is 3.11)"; return 1
}

install_python_env() {
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" "$0" | sha256sum | cut -c1-16)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/kiosk" ]; then return 0; fi
  say "installing the Python environment in $VENV"
  [ -x "$VENV/bin/python" ] || "$(pick_python)" -m venv "$VENV"
  local pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
  # setuptools < 81: face_recognition_models still imports pkg_resources.
  "${pip[@]}" --upgrade pip "setuptools>=68,<81" wheel
  "${pip[@]}" -e "${ROOT}[dev]"
  # face_recognition pins `dlib`, which compiles from source for half an hour; dlib-bin (a dependency
  # above) provides the same `dlib` module as a wheel, so these two go in without their dependencies.
  "${pip[@]}" --no-deps "face_recognition==1.3.0" "face_recognition_models==0.3.0"
  echo "$want" >"$STAMP"
}

# npm packages the city's web pages serve themselves (no CDN): jsQR, the QR decoder of /check
# (Apache-2.0, docs/LICENSES.md), into var/web-vendor, where `kiosk-backend serve` finds it.
WEB_VENDOR="$ROOT/var/web-vendor"
NPM_PACKAGES=(jsqr@1.4.0)

install_web_vendor() {
  [ -f "$WEB_VENDOR/node_modules/jsqr/dist/jsQR.js" ] && return 0
  say "installing the web pages' npm packages in $WEB_VENDOR: ${NPM_PACKAGES[*]}"
  mkdir -p "$WEB_VENDOR"
  npm install --prefix "$WEB_VENDOR" --no-save --no-audit --no-fund --ignore-scripts "${NPM_PACKAGES[@]}" >/dev/null
}

setup() {
  install_system_packages
  install_python_env
  install_web_vendor
}

run_kiosk() {
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    say "display found: opening the kiosk window (simulated devices)"
    exec "$VENV/bin/kiosk" run --windowed "$@"
  fi
  say "no display: running one whole visit headless on simulated devices"
  exec "$VENV/bin/kiosk" demo "$@"
}

run_tests() {
  cd "$ROOT"
  export PATH="$VENV/bin:$PATH" QT_QPA_PLATFORM=offscreen
  say "ruff"
  ruff check .
  ruff format --check .
  say "mypy (all six packages)"
  mypy
  say "import contracts"
  lint-imports
  say "pytest"
  pytest "$@"
}

main() {
  local action="${1:-}"
  shift || true
  case "$action" in
    run) setup; run_kiosk "$@" ;;
    test) setup; run_tests "$@" ;;
    setup) setup ;;
    *) echo "usage: bash systemd/kiosk-dev.sh run|test|setup [args]" >&2; exit 2 ;;
  esac
}

main "$@"
