#!/usr/bin/env bash
# Rebuilds the bundled tables of attune-data (see data/DATA.md, "Bundled tables"):
#   data/src/main/resources/dev/attune/data/tables/german-credit/{train,test}.csv
#   data/src/main/resources/dev/attune/data/tables/telco-churn/{train,test}.csv
#
# Usage: bash data/scripts/rebuild-table-data.sh [--write-sums]
#   Installs Debian's weka (for credit-g.arff) and r-cran-modeldata (for wa_churn, with R) at pinned
#   versions (apt-get, needs root or sudo), checks the ARFF source's SHA-256, runs
#   data/scripts/make_tables.R and checks the outputs against data/scripts/table-data.sha256.
#   --write-sums  rewrite data/scripts/table-data.sha256 from the new files instead of checking.
# Needs: bash, apt-get/dpkg, sha256sum; the packages bring Rscript.
# Rerunnable: the outputs are byte-identical from run to run (seeded, fixed order).
set -euo pipefail

WEKA_DEB=weka
WEKA_DEB_VERSION='3.6.14-3'
CREDIT_ARFF=/usr/share/doc/weka/examples/credit-g.arff
CREDIT_ARFF_SHA256=bd94085134e4eb845c96b34c93ed65a223f89d089bacb273ef96f57509ce0bed
MODELDATA_DEB=r-cran-modeldata
MODELDATA_DEB_VERSION='1.1.0-1'

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=output-sums.sh
. "$SCRIPTS/output-sums.sh"
DATA="$(dirname "$SCRIPTS")"
OUT="$DATA/src/main/resources/dev/attune/data/tables"
SUMS="$SCRIPTS/table-data.sha256"

write_sums=0
case "${1:-}" in
  "") ;;
  --write-sums) write_sums=1 ;;
  *) echo "usage: $0 [--write-sums]" >&2; exit 2 ;;
esac

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need=()
for pkg in "$WEKA_DEB=$WEKA_DEB_VERSION" "$MODELDATA_DEB=$MODELDATA_DEB_VERSION"; do
  installed="$(dpkg-query -W -f='${Status} ${Version}' "${pkg%%=*}" 2>/dev/null || true)"
  [ "$installed" = "install ok installed ${pkg#*=}" ] || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "== installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "== checking $CREDIT_ARFF ($WEKA_DEB $WEKA_DEB_VERSION)"
echo "$CREDIT_ARFF_SHA256  $CREDIT_ARFF" | sha256sum -c --quiet -

Rscript "$SCRIPTS/make_tables.R" "$CREDIT_ARFF" "$OUT"

cd "$DATA"
files=(src/main/resources/dev/attune/data/tables/{german-credit,telco-churn}/{train,test}.csv)
check_output_sums "$write_sums" "$SUMS" "${files[@]}"
