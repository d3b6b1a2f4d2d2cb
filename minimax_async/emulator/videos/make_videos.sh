#!/usr/bin/env bash
# Regenerates the emulator's sample videos (needs ffmpeg). One small, real H.264 MP4 per
# resolution and duration the API offers, at the pixel size MiniMax reports, so the
# emulator hands out playable files whose size matches files/retrieve's `bytes`.
set -euo pipefail
cd "$(dirname "$0")"
make() {  # label width height seconds
  ffmpeg -v error -y -f lavfi \
    -i "color=c=0x1d3557:s=$2x$3:d=$4:r=24,drawbox=x='mod(t*200,iw)':y=ih/2-40:w=80:h=80:color=0xf1faee:t=fill" \
    -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -tune stillimage \
    -movflags +faststart -metadata comment="minimax-async emulator" "$1_$4s.mp4"
}
make 512P 912 512 6
make 512P 912 512 10
make 720P 1280 720 6
make 768P 1366 768 6
make 768P 1366 768 10
make 1080P 1920 1080 6
