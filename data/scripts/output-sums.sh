# Sourced by the rebuild-*.sh scripts (not run on its own).
# check_output_sums WRITE_SUMS SUMS FILE...
#   Lists FILE... (paths relative to the current folder); if WRITE_SUMS is 1, writes their SHA-256
#   to SUMS; otherwise checks them against SUMS when it exists, or prints their SHA-256.
check_output_sums() {
  local write="$1" sums="$2"
  shift 2
  echo "== outputs"
  ls -l "$@"
  if [ "$write" -eq 1 ]; then
    sha256sum "$@" > "$sums"
    echo "== wrote $sums"
    cat "$sums"
  elif [ -f "$sums" ]; then
    echo "== checking against $sums"
    sha256sum -c "$sums"
  else
    sha256sum "$@"
  fi
}
