#!/usr/bin/env bash
# Rebuilds the bundled food reviews of attune-data (see data/DATA.md, "Bundled text"):
#   data/src/main/resources/dev/attune/data/text/food-reviews/{train,test}.csv.gz
# (The support intents beside them are written by hand, not rebuilt.)
#
# Usage: bash data/scripts/rebuild-text-data.sh [--write-sums]
#   Installs Debian's r-cran-modeldata (with R) at a pinned version (apt-get, needs root or sudo)
#   unless that version is installed, runs data/scripts/make_text.R, compresses its CSV files with
#   gzip -n -9 (no name, no time stamp) and checks them against data/scripts/text-data.sha256.
#   --write-sums  rewrite data/scripts/text-data.sha256 from the new files instead of checking.
# Needs: bash, apt-get/dpkg, gzip, sha256sum; the package brings Rscript.
# Rerunnable: the outputs are byte-identical from run to run (no randomness, fixed order).
set -euo pipefail

MODELDATA_DEB=r-cran-modeldata
MODELDATA_DEB_VERSION='1.1.0-1'

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=output-sums.sh
. "$SCRIPTS/output-sums.sh"
DATA="$(dirname "$SCRIPTS")"
OUT="$DATA/src/main/resources/dev/attune/data/text/food-reviews"
SUMS="$SCRIPTS/text-data.sha256"

write_sums=0
case "${1:-}" in
  "") ;;
  --write-sums) write_sums=1 ;;
  *) echo "usage: $0 [--write-sums]" >&2; exit 2 ;;
esac

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

installed="$(dpkg-query -W -f='${Status} ${Version}' "$MODELDATA_DEB" 2>/dev/null || true)"
if [ "$installed" != "install ok installed $MODELDATA_DEB_VERSION" ]; then
  echo "== installing $MODELDATA_DEB=$MODELDATA_DEB_VERSION"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$MODELDATA_DEB=$MODELDATA_DEB_VERSION"
fi

mkdir -p "$OUT"
Rscript "$SCRIPTS/make_text.R" "$OUT"
gzip -n -9 -f "$OUT/train.csv" "$OUT/test.csv"

cd "$DATA"
files=(src/main/resources/dev/attune/data/text/food-reviews/{train,test}.csv.gz)
check_output_sums "$write_sums" "$SUMS" "${files[@]}"
