#!/bin/sh
# Regenerates the committed PNG app icons from the SVG. Not used by the build; run by hand after
# editing the SVG (needs rsvg-convert from Debian's librsvg2-bin).
set -eu
cd "$(dirname "$0")"
name=io.github.syncpilot.SyncPilot
for size in 16 32 48 64 128 256; do
    rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$name.svg" --output "${size}x${size}/$name.png"
done
mkdir -p ../../resources/icons
cp "256x256/$name.png" "$name.svg" ../../resources/icons/
