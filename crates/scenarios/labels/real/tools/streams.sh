#!/bin/sh
# Print every TCP packet of the streams that hold a RST, one line each, for hand labelling.
# usage: streams.sh CAPTURE [MAX_PACKETS_PER_STREAM]
# Columns: frame, time since capture start, tcp.stream, src:port > dst:port, flags, raw seq, raw ack, payload length,
# TTL/hop limit, IP-ID, window, tshark's analysis flags. Source: tshark only (never rstscope).
set -eu
f=$1
max=${2:-400}
streams=$(tshark -n -r "$f" -Y "tcp.flags.reset==1" -T fields -E occurrence=l -e tcp.stream 2>/dev/null | sort -nu | tr '\n' ' ')
for s in $streams; do
  echo "== stream $s"
  tshark -n -r "$f" -Y "tcp.stream==$s" -T fields -E occurrence=l -E separator=' ' \
    -e frame.number -e frame.time_relative -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
    -e tcp.flags.str -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e ip.ttl -e ipv6.hlim -e ip.id -e tcp.window_size_value \
    -e _ws.expert.message 2>/dev/null | head -n "$max"
done
