#!/usr/bin/env bash
# Installs the Debian packages Assay needs when they are missing: "runtime" for `assay serve`
# (7zip gives 7zz, which unpacks password-protected ZIP uploads),
# "test" adds what the test suite drives (PostgreSQL for a throwaway cluster, Redis for the quota
# counters when none answers on 6379, ClamAV test files, socat, and the ssdeep and tlsh CLIs the
# in-process fuzzy hashes are checked against, Chromium for URL screenshots, openssl for test certificates,
# binutils' readelf and gcc (with 32-bit multilib on amd64) for the ELF analyzer's reference comparisons,
# qpdf and poppler-utils (pdfinfo), the references of the PDF analyzer,
# MinGW-w64, osslsigncode, mcs/monodis and makensis to build the PE analyzer's test files, and pefile,
# the reference it is compared with; python3-olefile, the office analyzer's reference; c-icap with its
# virus_scan module for the ICAP engine, bubblewrap for the vendor command-line engines).
set -euo pipefail
profile=${1:-runtime}

runtime_pkgs=(7zip clamav clamav-daemon file libarchive-zip-perl)   # libarchive-zip-perl: ExifTool reads OOXML/ZIP contents
# One package a line, each with what needs it, so branches that add one merge cleanly.
test_pkgs=(
  clamav-testfiles postgresql redis-server socat ssdeep tlsh-tools chromium openssl
  binutils gcc libc6-dev   # ELF analyzer: readelf reference, binaries compiled in tests
  qpdf poppler-utils       # PDF analyzer references
  gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 python3-pefile osslsigncode mono-mcs mono-utils nsis   # PE analyzer
  python3-olefile          # office analyzer: OLE streams and summary properties reference
  c-icap libc-icap-mod-virus-scan iproute2   # ICAP engine: c-icap's virus_scan over clamd; ss sees its connections
  bubblewrap               # vendor command-line engines: their default sandbox (also wanted at run time when configured)
  libimage-exiftool-perl imagemagick   # exiftool analyzer: the exiftool CLI reference, a JPEG to carry EXIF
  aapt androguard          # Android analyzer references
)
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then test_pkgs+=(gcc-multilib); fi
# "bench": the benign corpus of bench/detection.ts --build-benign (Windows PE files Debian ships).
bench_pkgs=(libwine gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 nsis grub-efi-amd64-bin ipxe shim-unsigned)

missing=()
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || missing+=("$1"); }
for p in "${runtime_pkgs[@]}"; do need "$p"; done
if [ "$profile" = test ]; then for p in "${test_pkgs[@]}"; do need "$p"; done; fi
if [ "$profile" = bench ]; then for p in "${bench_pkgs[@]}"; do need "$p"; done; fi

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "assay: these Debian packages are missing: ${missing[*]}" >&2
  echo "assay: install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  [ "$profile" = runtime ] && exit 0   # the service still starts; ClamAV reports itself not ready
  exit 1
fi
echo "assay: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
