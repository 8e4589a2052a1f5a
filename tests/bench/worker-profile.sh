#!/usr/bin/env bash
# Profiles the analysis worker in Chromium with V8's sampling profiler and names the module's
# functions. Usage (after `cargo xtask dist`): tests/bench/worker-profile.sh FILE [TOP]
#
# The shipped module has no names, so the script rebuilds it from the same unoptimised build
# with names kept (wasm-bindgen --keep-debug, wasm-opt -Oz -g, features read from the module, as
# Trunk runs it): wasm-opt keeps the functions in
# the same order either way, which the script checks (same count) before naming them. Chromium
# runs as one process, so each isolate (page, reader worker, analysis worker) writes its own
# V8 log; the one with the most ticks is the analysis worker's. Prints its ticks by function, most first.
set -euo pipefail
file=$(realpath "$1")
top=${2:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$root/node_modules/.bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

raw="$root/target/wasm32-unknown-unknown/web/midtriage-web.wasm"
shipped=$(ls "$root"/dist/midtriage-web-*_bg.wasm)
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$work/wb" "$raw"
wasm-opt -Oz -g "$work/wb/midtriage-web_bg.wasm" -o "$work/named.wasm"
wasm-opt --all-features --print-function-map "$work/named.wasm" > "$work/map.txt"
shipped_count=$(wasm-opt --all-features --print-function-map "$shipped" | wc -l)
if [ "$shipped_count" != "$(wc -l < "$work/map.txt")" ]; then
  echo "worker-profile: dist/ is not built from $raw (function counts differ); run cargo xtask dist" >&2
  exit 1
fi

(cd "$work" && MIDTRIAGE_WORKERS=1 MIDTRIAGE_DIST="$root/dist" \
  MIDTRIAGE_CHROMIUM_FLAGS="--js-flags=--prof --single-process --no-zygote" \
  node "$root/tests/bench/browser.mjs" 1 "$file" | grep '^browser:')
most=0
for log in "$work"/isolate-*.log; do
  node --prof-process "$log" 2>/dev/null > "$work/one.txt" || continue
  n=$(sed -n 's/.*(\([0-9]*\) ticks.*/\1/p' "$work/one.txt" | head -1)
  if [ "${n:-0}" -gt "$most" ]; then most=$n; cp "$work/one.txt" "$work/ticks.txt"; fi
done
python3 - "$work/ticks.txt" "$work/map.txt" "$top" <<'EOF'
import re, sys
ticks, names, top = open(sys.argv[1]).read(), {}, int(sys.argv[3])
for line in open(sys.argv[2]):
    i, _, name = line.rstrip("\n").partition(":")
    names[i] = re.sub(r"::h[0-9a-f]{16}(\.\d+)?$", "", name)
total = int(re.search(r"\((\d+) ticks", ticks).group(1))
by = {}
section = None
for line in ticks.splitlines():
    if line.startswith(" ["):
        section = line.strip()
        continue
    m = re.match(r"\s+(\d+)\s+[\d.]+%\s+(?:[\d.]+%\s+)?(.*)$", line)
    if not m or section not in ("[Shared libraries]:", "[JavaScript]:"):
        continue
    n, what = int(m.group(1)), m.group(2)
    w = re.search(r"wasm-function\[(\d+)\]", what)
    if w:
        what = names.get(w.group(1), what)
    elif section == "[Shared libraries]:":
        what = "(native) " + what.rsplit("/", 1)[-1]
    by[what] = by.get(what, 0) + n
print(f"analysis worker: {total} ticks")
for what, n in sorted(by.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{100 * n / total:5.1f} %  {what}")
EOF
