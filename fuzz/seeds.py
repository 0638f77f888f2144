#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into fuzz/corpus/TARGET (run from anywhere; idempotent).

response: every case of ../shared/http-conformance (the llhttp and http-parser response suites) as the server's
bytes, behind the three option bytes the target reads; decoding, robots, url, hocon: small hand-picked inputs."""
import base64, gzip, json, os, zlib, pathlib

here = pathlib.Path(__file__).resolve().parent
cases = here.parent / "tests" / "Crawler.Http.Tests" / "Conformance" / "responses.json"

def write(target, name, data):
    folder = here / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)

for case in json.loads(cases.read_text()):
    head = 0b00010 if case.get("request_method") == "HEAD" else 0
    write("response", case["id"], bytes([head, 0x5a, 0x17]) + base64.b64decode(case["raw_base64"]))
write("response", "pipelined-keep-alive", bytes([0, 1, 2]) +
      b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nworld\r\n0\r\n\r\n")

page = b"<html><head><title>A planet</title></head><body><h3><a href='/a'>first</a></h3></body></html>" * 4
write("decoding", "gzip", bytes([0]) + gzip.compress(page))
write("decoding", "deflate-zlib", bytes([1]) + zlib.compress(page))
write("decoding", "deflate-raw", bytes([1]) + zlib.compress(page)[2:-4])
write("decoding", "transfer-gzip", bytes([0x40]) + gzip.compress(page))
write("decoding", "round-trip", bytes([0x80]) + page)
write("decoding", "round-trip-br", bytes([0x82]) + page)

write("robots", "groups", bytes([0]) + b"User-agent: *\nDisallow: /private/\nAllow: /private/open\nCrawl-delay: 2\n\nUser-agent: crawler\nDisallow: /*.pdf$\nSitemap: http://127.0.0.1/s.xml\n")
write("robots", "empty-disallow", bytes([0]) + b"User-agent: *\r\nDisallow:\r\n")
write("robots", "bom-wildcards", bytes([0]) + "\ufeffuser-agent: Crawler/1.0\ndisallow: /a*b$\n# comment\nCRAWL-DELAY: 0.5\n".encode())
write("robots", "server-error", bytes([4]) + b"oops")

for i, url in enumerate(["http://127.0.0.1:8080/planet?x=1#top", "https://[::1]:443/a%20b", "http://example.org",
                         "ftp://x/", "http://user:pw@h/", "http://h:0/", "HTTP://H/P", "http://%41.com/", "http://h/\u00e9t\u00e9",
                         "  http://h/ a ", "//h/p", "http://[fe80::1%25eth0]/"]):
    write("url", f"url-{i}", url.encode())

reference = here.parent / "hocon" / "reference.conf"
write("hocon", "reference", b"\0" + reference.read_bytes())
write("hocon", "small", b"\0crawler { user-agent = \"x\", http.connect-timeout = 2s, titel-selector = t }\n")
write("hocon", "include", b"\0include \"missing.conf\"\ncrawler.max-planets-in-flight = 10\n")
for i, value in enumerate(["Mozilla/5.0 (X11) \"quoted\" \\ back", "${crawler.x}", "a\nb", "\u2603 snow", "#", "}{"]):
    write("hocon", f"value-{i}", b"\1" + value.encode())
