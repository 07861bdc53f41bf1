#!/usr/bin/env bash
# fio's 4 KiB O_DIRECT random-read figure on the same kind of file the benchmarks use: the device's capability at
# queue depth 32, to set beside the cache's 4 KiB hit reads. Writes fio's JSON to OUT/fio-randread.json and prints
# the IOPS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
    cat <<EOF
usage: benchmarks/fio.sh [--out DIR] [--file FILE] [--size SIZE] [--runtime SECONDS] [--iodepth N] [--engine E]

  --out DIR        where fio-randread.json goes (default benchmarks/target/results/fio)
  --file FILE      the file read (default benchmarks/target/bench-data/fio-randread.dat; fio lays it out when
                   it is missing or short)
  --size SIZE      file size in fio's notation (default 128M, the size of the raw benchmark's file)
  --runtime S      seconds (default 20)
  --iodepth N      queue depth (default 32)
  --engine E       io engine (default io_uring; libaio is tried when io_uring is unavailable)
EOF
}

out="$here/target/results/fio"
file="$here/target/bench-data/fio-randread.dat"
size=128M
runtime=20
iodepth=32
engine=io_uring
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift ;;
        --file) file="$2"; shift ;;
        --size) size="$2"; shift ;;
        --runtime) runtime="$2"; shift ;;
        --iodepth) iodepth="$2"; shift ;;
        --engine) engine="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "fio.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if ! command -v fio > /dev/null; then
    echo "fio.sh: fio is not installed; install it with: apt-get install -y fio" >&2
    exit 3
fi
mkdir -p "$out" "$(dirname "$file")"
json="$out/fio-randread.json"

run_fio() {
    fio --name=randread --filename="$file" --rw=randread --bs=4k --direct=1 --ioengine="$1" \
        --iodepth="$iodepth" --size="$size" --runtime="$runtime" --time_based --output-format=json \
        --output="$json"
}

if ! run_fio "$engine" 2> "$out/fio.err"; then
    if [ "$engine" = io_uring ]; then
        echo "fio.sh: io_uring failed ($(head -1 "$out/fio.err")); trying libaio" >&2
        engine=libaio
        run_fio "$engine"
    else
        cat "$out/fio.err" >&2
        exit 1
    fi
fi

# The first "iops" member is jobs[0].read.iops.
iops="$(grep -m1 '"iops"' "$json" | sed 's/[^0-9.]//g')"
printf 'fio randread 4k, %s, iodepth %s, direct=1, %s file %s, %s s: %.0f IOPS\n' \
    "$engine" "$iodepth" "$size" "$file" "$runtime" "$iops"
echo "fio JSON: $json"
