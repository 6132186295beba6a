#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read an `xstate verify --record` trace (docs/traces.md) without libxstate.

A second, independent reader of the format -- for emulator authors who
want the recorded cases as test vectors, and a check that docs/traces.md
says enough to read a trace. Needs the zstd program (Debian: zstd).

  xstrace.py TRACE                 the header and one line per case
  xstrace.py TRACE --case N        case N in full, buffers in hex
  xstrace.py TRACE --json          every case as one JSON object per line
"""
import argparse
import json
import struct
import subprocess
import sys

MAGIC = b'XSTRACE\x1a'
OPS = {1: 'FXSAVE', 2: 'FXRSTOR', 3: 'XSAVE', 4: 'XSAVEOPT', 5: 'XSAVEC', 6: 'XRSTOR',
       7: 'XGETBV', 8: 'POKE', 10: 'XSAVES', 11: 'XRSTORS', 12: 'XSETBV'}
VECTORS = {6: '#UD', 7: '#NM', 13: '#GP', 14: '#PF', 17: '#AC', 255: None}
SLOTS = 5
GAMMA = 0x9e3779b97f4a7c15
M64 = (1 << 64) - 1


class TraceError(Exception):
    pass


def stream(state, words):
    """The reference stream: `words` splitmix64 outputs from `state`, little-endian."""
    out = bytearray()
    for _ in range(words):
        state = (state + GAMMA) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
        out += struct.pack('<Q', z ^ (z >> 31))
    return bytes(out)


class Payload:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise TraceError('truncated payload')
        b = self.data[self.at:self.at + n]
        self.at += n
        return b

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def varint(self):
        v, shift = 0, 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                return v

    def delta(self, n, ref, own):
        """n bytes from delta operations against ref (own: the target's place in ref)."""
        out, cursor = bytearray(), own
        while len(out) < n:
            h = self.varint()
            kind, length = h & 3, h >> 2
            if not length or len(out) + length > n:
                raise TraceError('bad operation length')
            if kind == 0:    # SAME
                src = own + len(out)
            elif kind == 1:  # COPY
                d = self.varint()
                src = cursor - (d >> 1) if d & 1 else cursor + (d >> 1)
            elif kind == 2:  # LITERAL
                out += self.take(length)
                continue
            else:            # FILL
                out += self.take(1) * length
                continue
            if src < 0 or src + length > len(ref):
                raise TraceError('operation reads outside the reference')
            out += ref[src:src + length]
            cursor = src + length
        return bytes(out)


def text_pairs(data):
    return dict(line.split('=', 1) for line in data.decode().splitlines() if '=' in line)


def read(path):
    raw = open(path, 'rb').read()
    if raw[:8] != MAGIC:
        raise TraceError('not a trace')
    version, compression = struct.unpack_from('<II', raw, 8)
    if version != 1 or compression != 1:
        raise TraceError(f'version {version}, compression {compression}: expected 1, 1')
    body = subprocess.run(['zstd', '-d', '-c'], input=raw[16:], capture_output=True, check=True).stdout
    header, cases, at = {}, [], 0
    while at < len(body):
        kind, n = struct.unpack_from('<4sI', body, at)
        payload = body[at + 8:at + 8 + n]
        at += 8 + n
        if kind == b'INFO':
            header['info'] = text_pairs(payload)
        elif kind == b'CPUI':
            header['cpuid'] = payload.decode()
        elif kind == b'TRAI':
            header['traits'] = {k: int(v, 0) for k, v in text_pairs(payload).items()}
        elif kind == b'NOIS':
            header['noise'] = payload
        elif kind == b'CASE':
            cases.append(read_case(Payload(payload), header))
        elif kind == b'END ':
            if struct.unpack('<Q', payload)[0] != len(cases):
                raise TraceError('END: case count')
            return header, cases
        else:
            raise TraceError(f'unknown record {kind!r}')
    raise TraceError('no END record')


def read_case(p, header):
    region = int(header['info']['region'], 0)
    index, state, words, verdict, nsteps = p.unpack('<QQIBB')
    starts = p.unpack('<5I')
    steps = []
    for _ in range(nsteps):
        op, flags, slot, vector, ran, prefix, _, _, arg, poke_at, poke_from, xinuse, result = \
            p.unpack('<8BQIIQQ')
        steps.append({'op': OPS[op], 'rex_w': bool(flags & 1), 'eflags_ac': bool(flags & 2),
                      'prefix': prefix, 'slot': None if slot == 255 else slot, 'arg': arg,
                      'poke_at': poke_at, 'poke_from': poke_from,
                      'cpu': {'ran': bool(ran), 'exception': VECTORS[vector], 'xgetbv1': xinuse,
                              'result': result}})
    ref = stream(state, words)
    init = [p.delta(region - starts[s], ref, 0) for s in range(SLOTS)]
    inputs = b''.join(init) + header['noise']
    after, own = [], 0
    for s in range(SLOTS):
        after.append(p.delta(region - starts[s], inputs, own))
        own += region - starts[s]
    frame_len, = p.unpack('<I')
    frame = p.delta(frame_len, inputs, 0)
    if p.at != len(p.data):
        raise TraceError('bytes after the frame')
    return {'index': index, 'agreed_live': bool(verdict), 'starts': list(starts), 'steps': steps,
            'init': init, 'cpu_after': after, 'cpu_frame': frame}


def describe(step):
    name = step['op'] + ('64' if step['rex_w'] else '')
    extra = f' prefix {step["prefix"]:02x}' if step['prefix'] else ''
    extra += ' EFLAGS.AC' if step['eflags_ac'] else ''
    where = f' buffer {step["slot"]}' if step['slot'] is not None else ''
    cpu = step['cpu']
    out = cpu['exception'] or ('-' if not cpu['ran'] else f'XGETBV(1)={cpu["xgetbv1"]:#x}')
    return f'{name}{extra} arg={step["arg"]:#x}{where} -> {out}'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('trace')
    ap.add_argument('--case', type=int)
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    try:
        header, cases = read(a.trace)
    except (TraceError, struct.error, KeyError) as e:
        sys.exit(f'{a.trace}: {e}')
    if a.json:
        for c in cases:
            c = dict(c, init=[b.hex() for b in c['init']], cpu_after=[b.hex() for b in c['cpu_after']],
                     cpu_frame=c['cpu_frame'].hex())
            print(json.dumps(c))
        return
    if a.case is not None:
        c = next((c for c in cases if c['index'] == a.case), None)
        if not c:
            sys.exit(f'{a.trace}: no case {a.case}')
        print(f'case {c["index"]}: buffers at +{c["starts"]} of {header["info"]["region"]}-byte regions')
        for i, s in enumerate(c['steps']):
            print(f'  step {i}: {describe(s)}')
        for s in range(SLOTS):
            print(f'  buffer {s} initially: {c["init"][s][:576].hex()}')
            print(f'  buffer {s} after (cpu): {c["cpu_after"][s][:576].hex()}')
        print(f'  frame ({len(c["cpu_frame"])} bytes): {c["cpu_frame"][:576].hex()}')
        return
    print(json.dumps(header['info']))
    print('traits:', json.dumps(header['traits']))
    for c in cases:
        print(c['index'], '; '.join(describe(s) for s in c['steps']))


if __name__ == '__main__':
    main()
