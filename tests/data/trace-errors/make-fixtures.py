#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Broken traces for tests/cli/verify_trace_errors.sh, made from base.xstrace.

Each fixture breaks one rule of docs/traces.md inside the compressed body
(the byte-level breakages -- a cut file, a bad magic -- the test makes
itself). expected.tsv pairs each file with the message the reader must
give: the messages are written here from the format's rules, not copied
from the tool's output.

Run from this directory after a format change (needs the zstd program to
read base.xstrace; the fixtures are written as zstd frames of stored
blocks, without a checksum):  ./make-fixtures.py
"""
import struct
import subprocess

HEADER = 16


def records(body):
    out, at = [], 0
    while at < len(body):
        kind, n = struct.unpack_from('<4sI', body, at)
        out.append([kind, bytearray(body[at + 8:at + 8 + n])])
        at += 8 + n
    return out


def join(recs):
    return b''.join(struct.pack('<4sI', k, len(p)) + bytes(p) for k, p in recs)


def zstd_stored(data):
    """One zstd frame (RFC 8878) of raw blocks: no compression, no checksum."""
    out = bytearray(b'\x28\xb5\x2f\xfd')  # magic
    out += bytes([0x00, 0x38])            # descriptor; window 2^(10+7) = 128 KiB
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b'']
    for i, c in enumerate(chunks):
        last = 1 if i == len(chunks) - 1 else 0
        out += struct.pack('<I', last | 0 << 1 | len(c) << 3)[:3] + c
    return bytes(out)


base = open('base.xstrace', 'rb').read()
header = base[:HEADER]
body = subprocess.run(['zstd', '-d', '-c'], input=base[HEADER:], capture_output=True, check=True).stdout
RECS = records(body)
assert [k for k, _ in RECS[:4]] == [b'INFO', b'CPUI', b'TRAI', b'NOIS'] and RECS[-1][0] == b'END '
NCASES = len(RECS) - 5
assert NCASES == 3


def case_fixed(payload):
    """Offset of the first delta operation of a CASE payload (docs/traces.md, CASE)."""
    nsteps = payload[21]
    return 8 + 8 + 4 + 1 + 1 + 5 * 4 + 40 * nsteps


fixtures = []


def fixture(name, expected, recs=None, raw=None):
    data = raw if raw is not None else join(recs)
    with open(name + '.xstrace', 'wb') as f:
        f.write(header + zstd_stored(data))
    fixtures.append((name, expected))


def copy():
    return [[k, bytearray(p)] for k, p in RECS]


r = copy()
del r[-1]
fixture('no-end', 'truncated: no END record after record 7 (3 case(s))', r)

r = copy()
r[-1][1][:8] = struct.pack('<Q', 4)
fixture('end-count', 'record 8 (END ): case count: 4, but the trace holds 3 CASE record(s)', r)

r = copy()
r[0][1] = bytearray(b''.join(l + b'\n' for l in bytes(r[0][1]).split(b'\n') if l and not l.startswith(b'xcr0=')))
fixture('info-no-xcr0', 'record 1 (INFO): xcr0: missing, expected xcr0=NUMBER', r)

r = copy()
r[2][1] += b'warp_drive=1\n'
fixture('trait-unknown', 'record 3 (TRAI): warp_drive: a trait this build does not know', r)

r = copy()
r[5][1][case_fixed(r[5][1]) - 40 * r[5][1][21] + 40 * 2] = 9  # case 2, step 2: op
fixture('step-op', 'record 6 (CASE, case 2): step 2 op: 9: expected 1..8 or 10..12', r)

r = copy()
r[4][1][22:26] = struct.pack('<I', 8192)  # case 1, buffer 0's start
fixture('start-beyond-region', 'record 5 (CASE, case 1): start: buffer 0 at +8192: expected at most the region size 4096', r)

r = copy()
at = case_fixed(r[4][1])
r[4][1][at:at] = bytes([8 << 2 | 1, 0xfe, 0xff, 0x7f])  # COPY 8 bytes, 1048575 past the cursor
fixture('copy-outside', 'record 5 (CASE, case 1): initial buffer 0: COPY of 8 byte(s) at image byte 0 from outside', r)

r = copy()
r[4][1][case_fixed(r[4][1]) - 40 * r[4][1][21] + 6] = 1  # case 1, step 0: a padding byte
fixture('step-padding', 'record 5 (CASE, case 1): step 0 padding: expected zeros', r)

r = copy()
r.insert(-1, [b'XYZW', bytearray(b'\0' * 4)])
fixture('unknown-record', "record 8 (XYZW): unknown type 0x575a5958 ('XYZW'), expected INFO, CPUI, TRAI, NOIS, CASE or END", r)

r = copy()
r.insert(4, r.pop(3))  # NOIS after the first CASE
fixture('case-before-noise', 'record 4 (CASE, case 1): a CASE before any NOIS record', r)

r = copy()
r[1][1] += b'0000000d 0 zz\n'
fixture('cpuid-garbage', 'record 2 (CPUID)', r)

whole = join(RECS)
cut = len(join(RECS[:6])) + 30
fixture('record-cut', 'truncated: 30 byte(s) of an incomplete record after record 6', raw=whole[:cut])

with open('expected.tsv', 'w') as f:
    f.write('# fixture\tthe reader\'s message contains (exit status 2)\n')
    for name, expected in fixtures:
        f.write(f'{name}.xstrace\t{expected}\n')
