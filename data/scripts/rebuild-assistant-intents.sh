#!/usr/bin/env bash
# Rebuilds the bundled assistant intents of attune-data (see data/DATA.md, "Assistant intents"):
#   data/src/main/resources/dev/attune/data/text/assistant-intents/<locale>/{train,test}.csv
#   for the locales en-us, de-de, es-es, fr-fr, it-it.
#
# Usage: bash data/scripts/rebuild-assistant-intents.sh [--write-sums]
#   Runs `npm pack generator-botbuilder-assistant@1.0.7` in a temporary folder, checks the tarball's
#   SHA-256, unpacks it, runs data/scripts/make_assistant_intents.py and checks the ten CSV files
#   against data/scripts/assistant-intents.sha256.
#   --write-sums  rewrite data/scripts/assistant-intents.sha256 from the new files instead of checking.
# Needs: bash, npm (with access to the npm registry), python3, tar, sha256sum.
# Rerunnable: the outputs are byte-identical from run to run (no randomness, fixed order).
set -euo pipefail

PACKAGE='generator-botbuilder-assistant@1.0.7'
TARBALL='generator-botbuilder-assistant-1.0.7.tgz'
TARBALL_SHA256='2475f153cf7464c6f3e8716e229920fd31b53812524a6407a3e29c9a26039a02'

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=output-sums.sh
. "$SCRIPTS/output-sums.sh"
DATA="$(dirname "$SCRIPTS")"
OUT="$DATA/src/main/resources/dev/attune/data/text/assistant-intents"
SUMS="$SCRIPTS/assistant-intents.sha256"

write_sums=0
case "${1:-}" in
  "") ;;
  --write-sums) write_sums=1 ;;
  *) echo "usage: $0 [--write-sums]" >&2; exit 2 ;;
esac

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "== npm pack $PACKAGE"
(cd "$TMP" && npm pack --silent "$PACKAGE" >/dev/null)
echo "$TARBALL_SHA256  $TMP/$TARBALL" | sha256sum -c -
tar -xzf "$TMP/$TARBALL" -C "$TMP"

mkdir -p "$OUT"
python3 "$SCRIPTS/make_assistant_intents.py" "$TMP/package" "$OUT"

cd "$DATA"
files=()
for locale in en-us de-de es-es fr-fr it-it; do
  files+=("src/main/resources/dev/attune/data/text/assistant-intents/$locale/train.csv"
          "src/main/resources/dev/attune/data/text/assistant-intents/$locale/test.csv")
done
check_output_sums "$write_sums" "$SUMS" "${files[@]}"
