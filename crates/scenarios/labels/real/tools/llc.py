#!/usr/bin/env python3
"""Label the 1333 RSTs of zeek__llc.pcap, pattern by pattern, from tshark's fields.

What tshark shows (read by hand first): the trace was filtered to keep only RSTs. All 1333 frames are bare RSTs
(ACK flag off) from 128.3.140.132:2035 to 194.140.136.34:80 with the same seq 1388789261 and the same value in the
unused ack field, one about every 60 s over 24 hours. The IP-ID rises by exactly 1 from one RST to the next in
1311 of 1332 steps and the TTL is 8 on all but one frame: one host's own stack, with nothing on the path
imitating it. The gaps sit on a 60 s grid with compensating errors (a late RST is followed by an early one, up to
±1.9 s; the lag-1 autocorrelation of the one-period gap errors is -0.45 over 1314 gaps, near the -0.5 of a fixed
grid plus independent delays), the mark of a far-end timer whose packets cross a jittery path, not of a local
timer re-armed after each firing: the peer keeps
sending something every 60 s (persist or retransmission probes) on a connection this host no longer has, and each
arrival is answered with the same reset. Hence every row: sender client (ephemeral port towards port 80; no
handshake in the trace), origin client, cause closed-socket, sub-cause half-open, no consequence link (each RST
answers the peer's probe, not an earlier reset). The sentence differs per pattern and cites each frame's numbers:

- steady: 60 ± 1 s after the previous RST, IP-ID + 1;
- steady, host busy: about 60 s, but the IP-ID moved by more than 1 (the host sent other packets meanwhile);
- after a pause: the gap spans k > 1 periods of 60 s (no RST, or none captured, in between);
- other path: the one frame with TTL 10 instead of 8;
- first: the first frame of the trace.

usage: llc.py [CAPTURE] > zeek__llc.pcap.tsv   (pattern counts go to stderr)
"""
import collections
import subprocess
import sys

FIELDS = ['frame.number', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags',
          'tcp.seq_raw', 'tcp.ack_raw', 'ip.ttl', 'ip.id']
HEADER = 'frame\tsender\torigin\tcause\tsub_cause\tconsequence_of\tevidence'
PERIOD = 60.0


def resets(capture):
    cmd = ['tshark', '-n', '-r', capture, '-Y', 'tcp.flags.reset==1', '-T', 'fields', '-E', 'occurrence=l']
    for field in FIELDS:
        cmd += ['-e', field]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [dict(zip(FIELDS, line.split('\t'))) for line in out.splitlines()]


def pattern(r, prev, usual_ttl):
    """Name the frame's pattern and the clause that describes it against the previous RST."""
    if prev is None:
        return 'first', 'the first RST of the trace'
    gap = float(r['frame.time_epoch']) - float(prev['frame.time_epoch'])
    step = (int(r['ip.id'], 16) - int(prev['ip.id'], 16)) % 65536
    periods = round(gap / PERIOD)
    since = f"{gap:.3f} s after the previous RST (frame {prev['frame.number']})"
    if r['ip.ttl'] != usual_ttl:
        return 'other path', (f"{since}, with TTL {r['ip.ttl']} where the other 1332 have {usual_ttl} (a route "
                              f"two hops shorter this once) and IP-ID {r['ip.id']}, {step} after the previous one")
    if periods > 1:
        return 'after a pause', (f"{since}, i.e. {periods} periods of 60 s with no RST captured in between, "
                                 f"IP-ID {r['ip.id']} ({step} after the previous one)")
    if step != 1:
        return 'steady, host busy', (f"{since}, IP-ID {r['ip.id']} {step} after the previous one (the host sent "
                                     f"other packets meanwhile)")
    return 'steady', f"{since}, IP-ID {r['ip.id']} exactly 1 after the previous one"


def sentence(r, clause):
    return (f"frame {r['frame.number']}: bare RST seq={r['tcp.seq_raw']} (unused ack field {r['tcp.ack_raw']}) "
            f"from {r['ip.src']}:{r['tcp.srcport']} to port {r['tcp.dstport']} with TTL {r['ip.ttl']}, "
            f"{clause}: the same reset the host sends about every 60 s for 24 h (1333 in all), answering a peer "
            f"that keeps probing a connection this host no longer has (the trace keeps only RSTs, so the probes "
            f"themselves are not in it).")


def main():
    capture = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/captures/zeek__llc.pcap'
    rows = resets(capture)
    usual_ttl = collections.Counter(r['ip.ttl'] for r in rows).most_common(1)[0][0]
    counts = collections.Counter()
    print(HEADER)
    prev = None
    for r in rows:
        assert r['tcp.flags'] == '0x0004' and r['tcp.srcport'] == '2035', r
        name, clause = pattern(r, prev, usual_ttl)
        counts[name] += 1
        print('\t'.join([r['frame.number'], 'client', 'client', 'closed-socket', 'half-open', '',
                         sentence(r, clause)]))
        prev = r
    for name, n in counts.most_common():
        print(f'{name}: {n}', file=sys.stderr)


if __name__ == '__main__':
    main()
