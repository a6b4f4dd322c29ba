"""The fixed Arrow schemas of rstscope's rows.

A reset row is the report's reset object (README, "JSON output") with the
capture it comes from first and its connection's two ends last: the same
fields, in the same order, as a line of `rstscope analyze --format ndjson`.
Integers are signed (Spark has no unsigned types); every field may be null
where the report's may. Fields the report gains later are added here beside
the others; existing ones keep their names, types and meaning.
"""

import pyarrow as pa

# An evidence item's typed `fact` (README, JSON output) is left out: its
# fields differ from one kind of fact to the next, so it has no fixed
# columns. `finding` is its rendered sentence; the JSON rows carry it whole.
EVIDENCE = pa.struct(
    [
        ("signal", pa.string()),  # "ttl", "ip-id", "seq", "idle", "vantage", ...
        ("finding", pa.string()),  # what was seen, with the numbers
        ("points_to", pa.string()),  # client | server | middlebox | unknown
    ]
)

OBSERVED = pa.struct(
    [
        ("idle_ns", pa.int64()),  # the idle gap behind an idle timeout
        ("server_port", pa.int32()),
        ("retransmissions", pa.int64()),  # of the same data before the reset
    ]
)

CONFLICT = pa.struct(
    [
        ("concluded", pa.string()),  # the origin concluded
        ("for_concluded", pa.list_(pa.string())),  # signals that point to it
        ("other", pa.string()),  # the origin the other signals point to
        ("for_other", pa.list_(pa.string())),
        ("sentence", pa.string()),  # "TTL says server, timing says path"
    ]
)

TIP = pa.struct([("text", pa.string()), ("commands", pa.list_(pa.string()))])

LADDER_PACKET = pa.struct(
    [
        ("frame", pa.int64()),
        ("time", pa.float64()),
        ("from", pa.string()),  # client | server
        ("flags", pa.string()),
        ("seq", pa.int64()),
        ("ack", pa.int64()),
        ("relative", pa.bool_()),
        ("payload_len", pa.int64()),
        ("window", pa.int64()),
        ("ttl", pa.int32()),
        ("ip_id", pa.int32()),
        ("gap_ms", pa.float64()),
    ]
)

RESETS = pa.schema(
    [
        ("capture", pa.string()),  # the capture's path (or the name given with bytes)
        ("frame", pa.int64()),  # 1-based, as Wireshark numbers frames
        ("time", pa.float64()),  # seconds since the Unix epoch
        ("src", pa.string()),  # "ip:port" ("[v6]:port")
        ("dst", pa.string()),
        ("seq", pa.int64()),
        ("ack", pa.int64()),
        ("flags", pa.string()),  # "RST", "RST+ACK", ...
        ("ttl", pa.int32()),
        ("ip_id", pa.int32()),  # null for IPv6
        ("payload_len", pa.int64()),
        ("encapsulation", pa.string()),  # "eth:vlan:ipv4", ...
        ("connection", pa.int64()),  # id in the report's connections
        ("stream", pa.int64()),  # Wireshark's tcp.stream of the reset's packet
        ("sender", pa.string()),  # whose address it carries: client | server | unknown
        ("origin", pa.string()),  # who emitted it: client | server | middlebox | unknown
        ("cause", pa.string()),  # refused, app-abort, ..., injected, scan, unknown
        ("sub_cause", pa.string()),
        ("confidence", pa.float32()),  # in [0, 1]
        ("evidence", pa.list_(EVIDENCE)),  # strongest first
        ("signature", pa.string()),  # "SYN → RST", "PSH → RST;RST+ACK", ...
        ("stage", pa.string()),  # post-syn | post-ack | post-psh | later-in-flow | unknown
        ("payload_text", pa.string()),
        ("reason_code", pa.int64()),
        ("tips", pa.list_(TIP)),
        ("observed", OBSERVED),  # the numbers the tips quote
        ("ladder", pa.list_(LADDER_PACKET)),  # the connection's packets around the reset
        ("consequence_of", pa.int64()),  # frame of the reset it followed from; null for a root
        ("incident", pa.int64()),  # id in the report's incidents
        ("conflict", CONFLICT),  # null when the signals agree
        ("client", pa.string()),  # the connection's client "ip:port"
        ("server", pa.string()),  # the connection's server "ip:port"
    ]
)

CAPTURES = pa.schema(
    [
        ("capture", pa.string()),
        ("error", pa.string()),  # why it could not be analysed; null when it was
        ("packets", pa.int64()),
        ("tcp_packets", pa.int64()),
        ("first_time", pa.float64()),
        ("last_time", pa.float64()),
        ("connections", pa.int64()),
        ("resets", pa.int64()),
        ("forged", pa.int64()),  # resets concluded to come from a device on the path
        ("warnings", pa.int64()),
        ("headline", pa.string()),
        ("by_origin", pa.map_(pa.string(), pa.int64())),
        ("by_cause", pa.map_(pa.string(), pa.int64())),
    ]
)
