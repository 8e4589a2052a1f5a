#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from tests/fixtures and the built-in rules.

Run from the repository root: python3 fuzz/seed.py. Seeds are named after what they hold, so
the corpus can be regenerated without duplicates; files libFuzzer adds (hash names) are kept.
"""
import gzip, io, os, zipfile, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "tests" / "fixtures"
corpus = root / "fuzz" / "corpus"
MAX = 12 << 10


def put(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data[:MAX] if target not in ("rules", "archive") else data)


logs = sorted(p for p in (fixtures / "field-guide").iterdir() if p.suffix == ".log")
logs += sorted((fixtures / "healthy-upgrade").iterdir())
logs += [fixtures / "app-experience-two-records.log", fixtures / "kb0596459-literal.txt"]
xmls = sorted((fixtures / "field-guide").glob("*.xml")) + [fixtures / "hostile" / "entity-bomb-config.xml"]
line = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\r\n"

# decode: every log, and each encoding and refusal the sniffer knows
for p in logs:
    put("decode", p.name, p.read_bytes())
put("decode", "utf16le-bom", b"\xff\xfe" + line.encode("utf-16-le"))
put("decode", "utf16be-bom", b"\xfe\xff" + line.encode("utf-16-be"))
put("decode", "utf16le-nobom", (line * 3).encode("utf-16-le"))
put("decode", "utf16be-nobom", (line * 3).encode("utf-16-be"))
put("decode", "utf8-bom", b"\xef\xbb\xbf" + line.encode())
put("decode", "windows-1252", b"caf\xe9 \x80 \xff " + line.encode())
put("decode", "split-utf8", ("é€😀" * 50 + "\n").encode())
put("decode", "png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0")
put("decode", "exe", b"MZ\x90\0\x03\0\0\0" + b"\0" * 64)
put("decode", "nul-tail", line.encode() + b"\0" * 100)
put("decode", "nul-inside", b"abc\0def\n")

# records: every log, also with CRLF and lone CR line ends
for p in logs:
    text = p.read_bytes()
    put("records", p.name, text)
    unix = text.replace(b"\r\n", b"\n")
    put("records", p.name + ".crlf", unix.replace(b"\n", b"\r\n"))
    put("records", p.name + ".cr", unix.replace(b"\n", b"\r"))

# templates: every log, and lines of the values the masks know
for p in logs:
    put("templates", p.name, p.read_bytes())
put("templates", "values", "\n".join([
    "SEVERE *** ERROR *** user 'mid.user' at https://acme.service-now.com:443/x?y=1 from 10.0.0.1/24",
    "WARN  (MIDWorker-4b4595fef8cd98e584ecb4ffb06e9a94) sys_id=0a1b2c3d4e5f60718293a4b5c6d7e8f9 {3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
    "ERROR (X) [Y:1] C:\\ServiceNow\\agent\\lib\\a.jar /opt/agent/b 1.8.0_231 tokyo-07-08-2022__patch6 2022-11-17T02:49:13.201-0800 it's \"q\"",
    "x" * 300 + " é" * 200,
]).encode())

# version: pairs of version strings (the target splits at the first newline), and lines of text
vers = [l.split()[0] for l in (fixtures / "versions" / "field-guide-3.1.txt").read_text().splitlines() if l.startswith("glide-")]
for i, v in enumerate(vers):
    put("version", f"pair-{i}", (v + "\n" + vers[(i + 1) % len(vers)]).encode())
put("version", "field-guide-3.1.txt", (fixtures / "versions" / "field-guide-3.1.txt").read_bytes())
put("version", "buildstamp", b"zurich-07-01-2025__patch7b-hotfix2-06-18-2026_06-19-2026_0134\nglide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip")
put("version", "package", b"mid-core.zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.universal.universal.zip\n")

# rules: the built-in files, one at a time, and small broken ones
for p in sorted((root / "crates" / "engine" / "src" / "rules").glob("*.toml")):
    put("rules", p.name, p.read_bytes())
rule = '''[[rule]]
id = "x"
title = "t"
severity = "error"
kb = "KB0596459"
step = 4
summary = "s"
resolution = ["r"]
[[rule.when]]
{when}
[rule.samples]
fire = ["x Could not authenticate user y"]
quiet = ["nothing"]
'''
put("rules", "invalid-regex.toml", rule.format(when="any = [{ regex = '(unclosed' }]").encode())
put("rules", "unknown-key.toml", rule.format(when='any = ["Could not authenticate user"]\ncolour = "red"').encode())
put("rules", "literal.toml", rule.format(when='any = ["Could not authenticate user"]').encode())

# config: what follows a planted password (the target writes the head); real files and pieces
for p in xmls:
    text = p.read_bytes()
    put("config", p.name, text)
    body = b"\n".join(l for l in text.splitlines() if not l.startswith((b"<?xml", b"<parameters")))
    put("config", p.name + ".body", body)
put("config", "duplicate-user", b'<parameter name="mid.instance.username" value="a"/>\n<parameter name="mid.instance.username" value="b"/>\n</parameters>\n')
put("config", "raw-amp", b'<parameter name="url" value="https://x.service-now.com/?a=1&b=2"/>\n</parameters>\n')

# archive: plain, gzip (whole and cut), ZIP (stored, deflated, nested) and config.xml
small = [p for p in logs if p.stat().st_size < 4096][:6]
for p in small:
    put("archive", p.name, p.read_bytes())
    gz = gzip.compress(p.read_bytes(), mtime=0)
    put("archive", p.name + ".gz", gz)
    put("archive", p.name + ".cut.gz", gz[: len(gz) // 2])
def zipped(entries, method):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=method)
    return b.getvalue()
entries = [("logs/" + p.name, p.read_bytes()) for p in small[:3]]
put("archive", "stored.zip", zipped(entries, zipfile.ZIP_STORED))
put("archive", "deflated.zip", zipped(entries, zipfile.ZIP_DEFLATED))
put("archive", "nested.zip", zipped([("inner.zip", zipped(entries[:1], zipfile.ZIP_STORED)), entries[0]], zipfile.ZIP_STORED))
put("archive", "with-config.zip", zipped([("agent/config.xml", xmls[0].read_bytes())] + entries[:1], zipfile.ZIP_DEFLATED))
put("archive", "config.xml", xmls[0].read_bytes())
