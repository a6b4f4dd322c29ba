#!/usr/bin/env python3
"""How often the tracking, split over two threads, would read host state the
other thread wrote (BENCHMARKS.md, "Splitting the tracking over two threads").

    tshark -r CAPTURE -Y tcp -T fields -e frame.number -e ip.src -e ip.dst \
        -e tcp.srcport -e tcp.dstport -e tcp.flags -e ipv6.src -e ipv6.dst > C.tsv
    scripts/split-coupling.py C.tsv [MORE.tsv ...]   # several: pooled, each its own hosts

A packet's thread is picked two ways: by its flow (a hash of the unordered
4-tuple, as `Flow::conn` would) or by its connection's client address (the
first packet's SYN sender; else the end on the higher port). The analyser's
host-state events, in capture order:
  write  a non-RST packet updates its sender's profile (`note_sender`);
  R1     a flow's first SYN: `note_syn`'s parallel-open answer reads the
         sender's SYN history;
  R2     a flow's first packet that is no SYN or SYN-ACK: `roles` reads both
         ends' server ports;
  R3     a RST: the sender's profile is copied into the reset's record;
  R4     judging a connection with resets reads both ends' profiles (counted
         at the RST; the judging itself comes at the close or the end).
A read is "cross" when the profile already holds a write made on the other
thread: its value depends on how far the other thread has got.
"""

import sys
import zlib
from collections import defaultdict

SYN, RST, ACK = 0x02, 0x04, 0x10
READS = (
    "R1 first SYN's sender",
    "R2 roles, both ends",
    "R3 RST's sender snapshot",
    "R4 judging, both ends",
)


def thread_of(value):
    return zlib.crc32(repr(value).encode()) & 1


def packets(lines):
    """(src, dst, sport, dport, flags) of each TCP packet; the innermost
    IPv4 header's addresses, else the IPv6 header's."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 8 or not f[3] or not f[5]:
            continue
        src = f[1].split(",")[-1] or f[6].split(",")[-1]
        dst = f[2].split(",")[-1] or f[7].split(",")[-1]
        sport, dport = int(f[3].split(",")[0]), int(f[4].split(",")[0])
        yield src, dst, sport, dport, int(f[5], 16)


def client_of(src, dst, sport, dport, flags):
    if flags & SYN:
        return dst if flags & ACK else src
    return src if sport >= dport else dst


def count(rows, how, reads, per_thread):
    """Adds one capture's reads ([total, cross] by kind) and packets per thread."""
    writers = defaultdict(int)  # host -> bit mask of the threads that wrote it
    clients = {}
    for src, dst, sport, dport, flags in rows:
        a, b = (src, sport), (dst, dport)
        key = (a, b) if a <= b else (b, a)
        first = key not in clients
        if first:
            clients[key] = client_of(src, dst, sport, dport, flags)
        thread = thread_of(key if how == "flow" else clients[key])
        per_thread[thread] += 1
        mine = 1 << thread

        def read(kind, host):
            reads[kind][0] += 1
            reads[kind][1] += bool(writers[host] & ~mine)

        if flags & RST:
            read(READS[2], src)
            read(READS[3], src)
            read(READS[3], dst)
        elif first and flags & SYN and not flags & ACK:
            read(READS[0], src)
        elif first and not flags & SYN:
            read(READS[1], src)
            read(READS[1], dst)
        if not flags & RST:
            writers[src] |= mine


def main(paths):
    for how in ("flow", "client"):
        reads = {kind: [0, 0] for kind in READS}
        per_thread = [0, 0]
        for path in paths:
            with open(path) as lines:
                count(packets(lines), how, reads, per_thread)
        total = max(sum(per_thread), 1)
        print(f"by {how}: {sum(per_thread)} packets, {100.0 * per_thread[0] / total:.1f} % on thread 0")
        for kind, (n, cross) in reads.items():
            print(f"  {kind}: {n} reads, {cross} cross ({100.0 * cross / max(n, 1):.1f} %)")


if __name__ == "__main__":
    main(sys.argv[1:])
