# Shared helpers for tools/system/*.sh. Every function is idempotent and fast when nothing is missing.

# ensure_apt_packages pkg… — installs the Debian packages that are not installed yet.
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: missing system packages (${missing[*]}) and no apt-get to install them" >&2
    return 3
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bootstrap: installing ${missing[*]}" >&2
  # Refresh the package index once per machine boot at most (the lists survive in /var/lib/apt).
  if [ ! -f /var/lib/apt/periodic/devkit-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    $sudo apt-get update -qq -o DPkg::Lock::Timeout=600
    $sudo mkdir -p /var/lib/apt/periodic && $sudo touch /var/lib/apt/periodic/devkit-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
}
