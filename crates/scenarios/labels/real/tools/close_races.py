#!/usr/bin/env python3
"""Label the resets of connections closed while the peer still sends (ndpi__reddit.pcap, ndpi__ethereum.pcap).

Both captures hold dozens of connections that end the same way: one side closes (sends its FIN) while the other
side's data, FIN or ACKs are still arriving, and the closed side's stack answers each arriving segment with a bare
RST whose seq is that segment's ack (the no-socket form). Read from the packets, per stream and per side:

- the side's first bare RST after its own FIN answers peer data that arrived after that FIN: `closed-socket`,
  `data-after-close` (the root);
- every later RST of the same side answers a segment after that reset removed the connection: `closed-socket`,
  `consequence_of` = the side's first RST;
- anything else (RST+ACK from a live socket, a RST answering a SYN-ACK, a RST with no FIN before it) is printed
  as REVIEW for a hand label, which the caller supplies in OVERRIDES.

Every sentence cites the RST's own frame, seq, TTL or hop limit and the segment it answers. Source: tshark only.
usage: close_races.py CAPTURE > labels.tsv   (REVIEW lines go to stderr)
"""
import collections
import subprocess
import sys

FIELDS = ['frame.number', 'frame.time_relative', 'ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.stream',
          'tcp.flags.str', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'ip.ttl', 'ipv6.hlim', 'ip.id']
HEADER = 'frame\tsender\torigin\tcause\tsub_cause\tconsequence_of\tevidence'

# Hand labels for the REVIEW cases, checked packet by packet (frame -> row without the frame column).
OVERRIDES = {
    'ndpi__reddit.pcap': {
        1586: ('client', 'client', 'app-abort', 'speculative-connect', '',
               'frame 1586: bare RST seq=2343488616 (= the SYN-ACK\'s ack) from the client (hop limit 64) answers '
               '29 µs later the SYN-ACK of frame 1585, which came 37 ms after the SYN (frame 1467) while three '
               'parallel connections to the same server (streams 55-57) were already in use: the browser had '
               'dropped this racing connection attempt before the answer arrived.'),
    },
    'ndpi__ethereum.pcap': {
        1314: ('client', 'client', 'app-abort', '', '',
               'frame 1314: RST+ACK seq=2644150234 (the client\'s next byte) ack=3302957452 (acknowledging the '
               'peer\'s 64 bytes and FIN of frame 1298) with the client\'s TTL 64 and IP-ID 0, 45 µs after its '
               'last 16-byte message (frame 1313) and with no FIN of its own: the client application aborted the '
               'connection the peer had just closed.'),
    },
}


def packets(capture):
    cmd = ['tshark', '-n', '-r', capture, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=l']
    for field in FIELDS:
        cmd += ['-e', field]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    streams = collections.defaultdict(list)
    for line in out.splitlines():
        p = dict(zip(FIELDS, line.split('\t')))
        p['ep'] = (p['ip.src'] or p['ipv6.src']) + ':' + p['tcp.srcport']
        p['flags'] = p['tcp.flags.str'].replace('·', '')
        p['t'] = float(p['frame.time_relative'])
        p['len'] = int(p['tcp.len'] or 0)
        streams[p['tcp.stream']].append(p)
    return streams


def ago(seconds):
    return f'{seconds * 1e6:.0f} µs' if seconds < 0.001 else f'{seconds * 1e3:.1f} ms'


def what(p):
    if p['len'] and 'F' in p['flags']:
        return f"{p['len']} bytes and FIN"
    if p['len']:
        return f"{p['len']}-byte segment"
    return 'FIN' if 'F' in p['flags'] else 'ACK'


def stamp(p):
    ttl = f"TTL {p['ip.ttl']}" if p['ip.ttl'] else f"hop limit {p['ipv6.hlim']}"
    return f"{ttl}, IP-ID {p['ip.id']}" if p['ip.id'] else ttl


def after_fin(t, fin, side):
    """How the answered segment relates to the closing side's FIN, as the capture shows it."""
    if t['t'] > fin['t']:
        return f"which came after the {side}'s own FIN of frame {fin['frame.number']}"
    return (f"which crossed the {side}'s own FIN of frame {fin['frame.number']} (that FIN's ack="
            f"{fin['tcp.ack_raw']} had not covered it)")


def uncovered(p, fin):
    """True when the closing side's FIN did not acknowledge this peer segment (sent after or crossing it)."""
    if p['t'] > fin['t']:
        return True
    end = (int(p['tcp.seq_raw']) + p['len'] + ('F' in p['flags'])) % 2**32
    return 0 < (end - int(fin['tcp.ack_raw'])) % 2**32 < 2**31


def trigger(rst, before, answered, fin, root):
    """The peer segment this RST answers: the earliest unanswered segment the closing side had not acknowledged
    before its FIN whose ack is the RST's seq. A live socket does not reset a bare ACK, so the side's first reset
    answers data; the later ones answer what came after the segment the first one answered."""
    peer = [p for p in before if p['ep'] != rst['ep'] and 'R' not in p['flags']
            and p['tcp.ack_raw'] == rst['tcp.seq_raw'] and p['frame.number'] not in answered]
    if root is None:
        return next((p for p in peer if p['len'] and uncovered(p, fin)), None)
    # Once the connection is gone every arriving segment is answered, and segments (pure ACKs and
    # retransmissions too) reach the far side in any order: prefer those after the root's, then any left.
    later = [p for p in peer if int(p['frame.number']) > int(root['answers'])]
    return (later or peer or [None])[0]


def label_stream(pk, review):
    syn = next((p for p in pk if p['flags'] == 'S'), None)
    client = syn['ep'] if syn else None
    first_rst, fin_of, answered, rows = {}, {}, set(), []
    for i, p in enumerate(pk):
        if 'F' in p['flags'] and 'R' not in p['flags']:
            fin_of.setdefault(p['ep'], p)
        if 'R' not in p['flags']:
            continue
        side = 'client' if p['ep'] == client else 'server'
        other = 'server' if side == 'client' else 'client'
        fin = fin_of.get(p['ep'])
        root = first_rst.get(p['ep'])
        t = trigger(p, pk[:i], answered, fin, root) if fin and p['flags'] == 'R' else None
        if t is None:
            review.append(p)
            continue
        answered.add(t['frame.number'])
        p['answers'] = t['frame.number']
        head = (f"frame {p['frame.number']}: bare RST seq={p['tcp.seq_raw']} (= SEG.ACK of frame "
                f"{t['frame.number']}) from the {side} ({stamp(p)}) answers {ago(p['t'] - t['t'])} later the "
                f"{other}'s {what(t)} of frame {t['frame.number']}")
        if root is None:
            first_rst[p['ep']] = p
            rows.append((p['frame.number'], side, side, 'closed-socket', 'data-after-close', '',
                         f"{head}, {after_fin(t, fin, side)}: data after the {side} closed."))
        else:
            rows.append((p['frame.number'], side, side, 'closed-socket', '', root['frame.number'],
                         f"{head}, after the {side}'s reset of frame {root['frame.number']} had removed the "
                         f"connection."))
    return rows


def main():
    capture = sys.argv[1]
    name = capture.rsplit('/', 1)[-1]
    overrides = OVERRIDES.get(name, {})
    rows, review = [], []
    for pk in packets(capture).values():
        rows += label_stream(pk, review)
    for p in review:
        frame = int(p['frame.number'])
        if frame in overrides:
            rows.append((p['frame.number'],) + overrides[frame])
        else:
            print(f"REVIEW frame {frame} stream {p['tcp.stream']} {p['flags']} seq={p['tcp.seq_raw']}",
                  file=sys.stderr)
    print(HEADER)
    for row in sorted(rows, key=lambda r: int(r[0])):
        print('\t'.join(str(c) for c in row))


if __name__ == '__main__':
    main()
