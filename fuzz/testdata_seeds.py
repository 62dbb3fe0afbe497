#!/usr/bin/env python3
"""Extra seeds from $HUBSPOKE_TESTDATA (../shared/testdata), written at run time into a scratch
directory: that data is read from the shared folder, never copied into the repository.

usage: testdata_seeds.py TESTDATA OUT   → OUT/<target>/<file> for the targets it has seeds for.
Each seed is laid out as its target reads its input (fuzz/<target>_fuzz.cc): the leading flag
bytes first, then the document.
"""
import json
import os
import sys


def write(out, target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, target, name.replace('/', '_')), 'wb') as f:
        f.write(data)


def main(testdata, out):
    xml_dir = os.path.join(testdata, 'sts', 'xml')
    if os.path.isdir(xml_dir):
        for name in sorted(os.listdir(xml_dir)):
            with open(os.path.join(xml_dir, name), 'rb') as f:
                body = f.read()
            write(out, 'sts_xml', name, body)
            write(out, 'query_errors', name, b'\x03' + body)  # HTTP 403
    parser_tests = os.path.join(testdata, 'profile', 'smithy-python', 'config-file-parser-tests.json')
    if os.path.exists(parser_tests):
        with open(parser_tests) as f:
            cases = json.load(f)['tests']
        for i, case in enumerate(cases):
            given = case.get('input', {})
            if 'configFile' in given:
                write(out, 'profile', f'smithy-{i}-config', b'\x00' + given['configFile'].encode())
            if 'credentialsFile' in given:
                write(out, 'profile', f'smithy-{i}-credentials',
                      b'\x01' + given['credentialsFile'].encode())
    sigv4 = os.path.join(testdata, 'sigv4', 'v4')
    if os.path.isdir(sigv4):
        for case in sorted(os.listdir(sigv4)):
            path = os.path.join(sigv4, case, 'header-signed-request.txt')
            if not os.path.exists(path):
                continue
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read().replace('\r', '')
            head, _, body = text.partition('\n\n')
            lines = head.split('\n')
            request_line = lines[0]
            method, _, rest = request_line.partition(' ')
            target = rest[:-len(' HTTP/1.1')] if rest.endswith(' HTTP/1.1') else rest
            headers = []
            for line in lines[1:]:
                if line[:1] in (' ', '\t') and headers:
                    headers[-1] += ' ' + line.strip()  # a continuation line, folded
                else:
                    headers.append(line)
            # sigv4_verify: flags (round trip on), minute offset 128 (the suite's own time).
            write(out, 'sigv4_verify', case,
                  b'\x02\x80' + '\n'.join([method, target] + headers + ['', body]).encode())
            # http_request: the same request on the wire (CRLF, a Content-Length for the body).
            wire = [f'{method} {target} HTTP/1.1'] + headers
            if body:
                wire.append(f'Content-Length: {len(body.encode())}')
            write(out, 'http_request', case, b'\x00\x05' + ('\r\n'.join(wire) + '\r\n\r\n' + body).encode())


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
