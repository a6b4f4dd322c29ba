#!/usr/bin/env python3
"""Check the hand labels against the tshark RST listings.

Every labels/real/<file>.tsv must list exactly the RST frames of ../shared/captures/rst/<file>.tsv (or
linktypes/rst/<file>.tsv for linktypes__<file>.tsv), in frame order, with values from the report's vocabulary,
and consequence_of must name an earlier RST frame of the same file. Prints counts by origin and cause.
usage: check.py [CAPTURES_DIR]   (default /work/shared/captures)
"""
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.dirname(HERE)
CAPTURES = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/captures'
HEADER = ['frame', 'sender', 'origin', 'cause', 'sub_cause', 'consequence_of', 'evidence']
SENDERS = {'client', 'server', 'unknown'}
ORIGINS = {'client', 'server', 'middlebox', 'unknown'}
CAUSES = {'refused', 'app-abort', 'closed-socket', 'idle-timeout', 'out-of-window', 'injected', 'scan',
          'graceful-close', 'retransmit-timeout', 'unknown'}


def listing(name):
    """RST frame numbers tshark lists for the capture a labels file names."""
    if name.startswith('linktypes__'):
        path = os.path.join(CAPTURES, 'linktypes', 'rst', name[len('linktypes__'):])
    else:
        path = os.path.join(CAPTURES, 'rst', name)
    with open(path, encoding='utf-8') as f:
        return [int(line.split('\t')[0]) for line in f.read().splitlines()[1:] if line]


def check(name, errors, origins, causes, unsure):
    with open(os.path.join(LABELS, name), encoding='utf-8') as f:
        lines = f.read().splitlines()
    if lines[0].split('\t') != HEADER:
        errors.append(f'{name}: bad header')
        return
    frames = []
    for n, line in enumerate(lines[1:], 2):
        cols = line.split('\t')
        if len(cols) != 7:
            errors.append(f'{name}:{n}: {len(cols)} columns')
            continue
        frame, sender, origin, cause, _sub, cons, evidence = cols
        frames.append(int(frame))
        if sender not in SENDERS or origin not in ORIGINS or cause not in CAUSES:
            errors.append(f'{name}:{n}: bad value {sender}/{origin}/{cause}')
        if cons and int(cons) not in frames[:-1]:
            errors.append(f'{name}:{n}: consequence_of {cons} is not an earlier RST frame')
        if not evidence.removeprefix('UNSURE: ').startswith(f'frame {frame}:'):
            errors.append(f'{name}:{n}: evidence does not start with its own frame')
        if evidence.startswith('UNSURE:'):
            unsure.append(f'{name} frame {frame}')
        origins[origin] += 1
        causes[cause] += 1
    want = listing(name)
    if frames != want:
        errors.append(f'{name}: frames {frames[:5]}... differ from the tshark listing {want[:5]}... '
                      f'({len(frames)} vs {len(want)})')


def main():
    errors, unsure = [], []
    origins, causes = collections.Counter(), collections.Counter()
    names = sorted(n for n in os.listdir(LABELS) if n.endswith('.tsv'))
    for name in names:
        check(name, errors, origins, causes, unsure)
    print(f'{len(names)} files, {sum(origins.values())} RSTs')
    print('origin:', dict(origins.most_common()))
    print('cause:', dict(causes.most_common()))
    print(f'UNSURE ({len(unsure)}):', ', '.join(unsure))
    for e in errors:
        print('ERROR', e)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
