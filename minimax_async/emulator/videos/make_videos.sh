#!/usr/bin/env bash
# Regenerates the emulator's sample videos (needs ffmpeg with libx264 and drawtext, and
# the DejaVu font). Each is a real H.264 MP4 at the pixel size MiniMax reports, showing a
# moving test pattern labelled "MiniMax emulator", its resolution, size and a running
# clock, so nobody mistakes it for a render.
#   V1: one per resolution x duration the API offers, 24 fps, no audio track.
#   V2 (v2/): one per resolution x ratio, 124 frames (the 17k+5 grid for 5 s) at 24 fps,
#       with a stereo 32 kHz AAC track (a beep each second), as H3 outputs have audio.
set -euo pipefail
cd "$(dirname "$0")"
FONT=${FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

make() {  # out width height frames label audio(0|1)
  local out=$1 w=$2 h=$3 frames=$4 fs=$(($3 / 12)) n
  n=$(basename "$out" .mp4)
  local s
  s=$(awk "BEGIN { print $frames / 24 }")
  # Labels go through text files: a ':' in "16:9" would end a filter option.
  printf 'MiniMax emulator' >"$TMP/$n.1"
  printf '%s   %%{eif:t:d} s' "$5" >"$TMP/$n.2"
  printf 'moving test pattern - not a render' >"$TMP/$n.3"
  local text="fontfile=$FONT:fontcolor=0xf1faee:x=(w-tw)/2"
  local vf="color=c=0x1d3557:s=${w}x${h}:r=24"
  vf+=",drawbox=x='mod(t*${w}/${s},iw)':y=0:w=${w}/16:h=ih:color=0x457b9d:t=fill"
  vf+=",drawbox=x=0:y=ih*7/8:w='iw*t/${s}':h=ih/40:color=0xe63946:t=fill"
  vf+=",drawtext=$text:textfile=$TMP/$n.1:fontsize=${fs}:y=h/2-1.3*${fs}"
  vf+=",drawtext=$text:textfile=$TMP/$n.2:fontsize=${fs}/2:y=h/2+0.1*${fs}:fontcolor=0xa8dadc"
  vf+=",drawtext=$text:textfile=$TMP/$n.3:fontsize=${fs}/3:y=h/2+0.9*${fs}:fontcolor=0xa8dadc"
  local args=(-f lavfi -i "$vf")
  local enc=(-frames:v "$frames" -c:v libx264 -preset veryslow -crf 42 -pix_fmt yuv420p -g 240)
  if [ "$6" = 1 ]; then
    args+=(-f lavfi -i "sine=f=660:r=32000,volume='if(lt(mod(t\,1)\,0.08)\,0.3\,0)':eval=frame,aformat=channel_layouts=stereo")
    enc+=(-t "$s" -c:a aac -b:a 16k -ar 32000 -ac 2)
  fi
  ffmpeg -v error -y "${args[@]}" "${enc[@]}" -movflags +faststart \
    -metadata comment="minimax-async emulator test pattern" "$out"
}

v1() {  # resolution width height seconds
  make "$1_$4s.mp4" "$2" "$3" $(($4 * 24)) "$1  $2x$3  of $4 s" 0
}
v1 512P 912 512 6
v1 512P 912 512 10
v1 720P 1280 720 6
v1 768P 1366 768 6
v1 768P 1366 768 10
v1 1080P 1920 1080 6

# Keep in step with OUTPUT_PIXELS in ../_v2_tables.py.
mkdir -p v2
v2() {  # resolution ratio width height
  make "v2/$1_${2/:/x}.mp4" "$3" "$4" 124 "$1 $2  $3x$4" 1
}
for spec in "480P 21:9 1120 480" "480P 16:9 848 480" "480P 4:3 640 480" "480P 1:1 480 480" \
  "480P 3:4 480 640" "480P 9:16 480 848" \
  "768P 21:9 1536 640" "768P 16:9 1344 768" "768P 4:3 1024 768" "768P 1:1 768 768" \
  "768P 3:4 768 1024" "768P 9:16 768 1344" \
  "2K 21:9 3360 1440" "2K 16:9 2560 1440" "2K 4:3 1920 1440" "2K 1:1 1440 1440" \
  "2K 3:4 1440 1920" "2K 9:16 1440 2560"; do
  # shellcheck disable=SC2086
  v2 $spec
done
