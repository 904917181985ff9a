#!/usr/bin/env bash
# Regenerates the README's screenshots from real tmux captures of fntop on
# its demo fleet: fleet, function and logs views.
#
# Needs tmux, freeze (go install github.com/charmbracelet/freeze@v0.2.2) and
# rsvg-convert and the Unifont font (Debian: librsvg2-bin fonts-unifont; Unifont
# has Braille cells of the same width as text, so charts stay aligned).
# Run from the repository root:
#   bash docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs
bin=$(mktemp -d)/fntop
go build -o "$bin" ./cmd/fntop
sock=fntop-shots-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT

key() { tmux -L "$sock" send-keys -t shots "$1"; sleep 0.4; }
shot() {
  sleep "${2:-2}"
  tmux -L "$sock" capture-pane -p -e -t shots > "$out/$1.ansi"
  tmux -L "$sock" capture-pane -p -t shots > "$out/$1.txt"
  freeze --language ansi --font.family "Unifont" --font.size 16 --window=false --padding 10 \
    -o "$out/$1.svg" "$out/$1.ansi" >/dev/null
  rsvg-convert -z 1.5 -o "$out/$1.png" "$out/$1.svg"
  rm -f "$out/$1.svg" "$out/$1.ansi"
}

tmux -L "$sock" new-session -d -s shots -x 140 -y 40 "TERM=xterm-256color COLORTERM=truecolor $bin --demo --seed 1"
shot fleet 3
key Enter
shot function 3
key l
key g
shot logs 2
key q
