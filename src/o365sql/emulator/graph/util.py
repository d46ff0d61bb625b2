"""Small helpers of the Graph half: ids in the services' styles, timestamps, hashes and file contents."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import random
import struct
import zipfile
import zlib

__all__ = [
    "K_ATTACH",
    "K_CALENDAR",
    "K_CFOLDER",
    "K_CONTACT",
    "K_CONV",
    "K_EVENT",
    "K_FOLDER",
    "K_MESSAGE",
    "MIME",
    "OUTLOOK_PREFIX",
    "bump",
    "change_key",
    "content_kind",
    "drive_item_id",
    "fmt_ms",
    "fmt_s",
    "identity_of",
    "make_content",
    "outlook_id",
    "parse_outlook_id",
    "parse_time",
    "quick_xor_hash",
]

# Kinds feeding outlook_id(), so ids of different item types never collide.
K_FOLDER, K_MESSAGE, K_CALENDAR, K_EVENT, K_CFOLDER, K_CONTACT, K_ATTACH, K_CONV = 1, 2, 3, 4, 5, 6, 7, 8

# Every Outlook REST id decodes to bytes starting like this ("AAMkA..." in base64).
OUTLOOK_PREFIX = b"\x00\x03\x24\x00"


def outlook_id(mailbox_key: bytes, kind: int, number: int, salt: int = 0) -> str:
    """A deterministic Outlook-style item id (URL-safe base64, as Graph returns them)."""
    digest = hashlib.sha256(mailbox_key + bytes([kind]) + number.to_bytes(8, "big") + salt.to_bytes(4, "big"))
    # Like Exchange's ids: the prefix, the mailbox GUID as ASCII text, then the item's entry id.
    guid = mailbox_key[:16].hex()
    raw = (
        OUTLOOK_PREFIX
        + f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:32]}".encode()
        + b"\x00\x46\x00\x00\x00\x00\x00"
        + digest.digest()[:22]
        + bytes([kind])
        + number.to_bytes(5, "big")
    )
    return base64.urlsafe_b64encode(raw).decode()


def parse_outlook_id(value: str) -> bytes | None:
    """The raw bytes of an Outlook id, or None when the id is malformed (-> ErrorInvalidIdMalformed)."""
    if len(value) < 16:
        return None
    text = value.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if raw.startswith(OUTLOOK_PREFIX[:3]) else None


def change_key(*parts: object) -> str:
    """A changeKey in Outlook's style (base64 of a version record)."""
    digest = hashlib.sha1("/".join(str(p) for p in parts).encode()).digest()
    return base64.b64encode(b"\x09\x00\x00\x00\x16\x00\x00\x00" + digest[:20]).decode()


def bump(item: dict[str, object], now: dt.datetime) -> None:
    """Record a change to an Outlook item: a new version, changeKey, etag and lastModifiedDateTime."""
    version = int(str(item.get("_version", 1))) + 1
    item["_version"] = version
    key = change_key(item["id"], version)
    item["changeKey"] = key
    item["@odata.etag"] = f'W/"{key}"'
    item["lastModifiedDateTime"] = fmt_s(now)


def drive_item_id(*parts: object) -> str:
    """A OneDrive for Business item id: "01" and 32 base32 characters."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return "01" + base64.b32encode(digest).decode()[:32]


def identity_of(user: dict[str, object]) -> dict[str, object]:
    """The identitySet OneDrive names a user by (createdBy, lastModifiedBy, owner)."""
    return {"user": {"email": user["mail"], "id": user["id"], "displayName": user["displayName"]}}


def fmt_s(moment: dt.datetime) -> str:
    """Outlook's timestamp format: seconds, Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_ms(moment: dt.datetime) -> str:
    """The drive's timestamp format: milliseconds, Z."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: str) -> dt.datetime:
    """Parse an ISO-8601 timestamp (Z, offsets, or 7 fractional digits); naive means UTC."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        tail = ""
        for i, ch in enumerate(rest):
            if not ch.isdigit():
                tail = rest[i:]
                break
            digits += ch
        text = head + ("." + digits[:6] if digits else "") + tail
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def quick_xor_hash(data: bytes) -> str:
    """OneDrive's QuickXorHash (base64), computed by folding 160-byte blocks first (the shift repeats)."""
    width = 160
    folded = bytearray(20)
    # Byte i lands at bit (i * 11) % 160; that depends only on i % 160, so XOR the 160-byte blocks together.
    block = bytearray(width)
    acc = 0
    full = len(data) - len(data) % width
    for start in range(0, full, width):
        acc ^= int.from_bytes(data[start : start + width], "little")
    block[:] = acc.to_bytes(width, "little")
    for k, byte in enumerate(data[full:]):
        block[k] ^= byte
    cell = 0
    for k in range(width):
        if block[k]:
            cell ^= block[k] << ((k * 11) % width)
    cell = (cell ^ (cell >> width)) & ((1 << width) - 1)  # wrap the bits that crossed bit 160
    folded[:] = cell.to_bytes(20, "little")
    length = len(data).to_bytes(8, "little")
    for i in range(8):
        folded[12 + i] ^= length[i]
    return base64.b64encode(bytes(folded)).decode()


# File kinds the generator makes real content for, and their MIME types.
MIME = {
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "png": "image/png",
    "pdf": "application/pdf",
    "bin": "application/octet-stream",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def content_kind(name: str) -> str:
    """The content kind of a file name (its extension when the generator knows it, else "bin")."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    return ext if ext in MIME else "bin"


_WORDS = (
    "quarterly",
    "report",
    "budget",
    "forecast",
    "review",
    "meeting",
    "agenda",
    "customer",
    "proposal",
    "contract",
    "renewal",
    "invoice",
    "roadmap",
    "release",
    "milestone",
    "design",
    "prototype",
    "feedback",
    "survey",
    "launch",
    "campaign",
    "pipeline",
    "revenue",
    "hiring",
    "onboarding",
    "training",
    "policy",
    "compliance",
    "audit",
    "security",
    "incident",
    "backlog",
    "sprint",
    "estimate",
    "approval",
)


def _text(rng: random.Random, size: int, csv: bool = False) -> bytes:
    if size > 8192:
        # Large files repeat a random 4 KiB block with numbered lines: fast and still real text.
        block = _text(rng, 4096, csv).decode()
        lines = block.splitlines()[1 if csv else 0 : -1]
        parts = ["date,region,product,units,amount\n"] if csv else []
        total = sum(len(p) for p in parts)
        n = 0
        while total < size:
            line = lines[n % len(lines)] + "\n"
            parts.append(line if csv else f"{n + 1}. {line}")
            total += len(parts[-1])
            n += 1
        return "".join(parts).encode()[:size]
    out = io.StringIO()
    if csv:
        out.write("date,region,product,units,amount\n")
        regions = ("North", "South", "East", "West")
        while out.tell() < size:
            day = rng.randrange(1, 28)
            out.write(
                f"2024-{rng.randrange(1, 13):02d}-{day:02d},{rng.choice(regions)},{rng.choice(_WORDS)},"
                f"{rng.randrange(1, 500)},{rng.randrange(100, 99999) / 100:.2f}\n"
            )
    else:
        while out.tell() < size:
            words = [rng.choice(_WORDS) for _ in range(rng.randrange(6, 16))]
            out.write(" ".join(words).capitalize() + ".\n")
    return out.getvalue().encode()[:size]


def _png(rng: random.Random, size: int) -> bytes:
    side = max(8, min(256, int((size / 3.3) ** 0.5)))
    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(side * 3)) for _ in range(side))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pdf(rng: random.Random, size: int) -> bytes:
    text = _text(rng, max(64, size // 2)).decode().replace("(", "").replace(")", "").replace("\n", " ")
    stream = f"BT /F1 11 Tf 72 720 Td ({text[:2000]}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _docx(rng: random.Random, size: int) -> bytes:
    buf = io.BytesIO()
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>"
        for line in _text(rng, max(200, size)).decode().splitlines()
    )
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>',
        )
    return buf.getvalue()


def make_content(kind: str, seed: str, size: int) -> bytes:
    """Real bytes of a file of the given kind (txt, csv, md, json, png, pdf, docx, bin), exactly `size` long.

    Binary formats are padded after their end marker (PNG after IEND, PDF after %%EOF, DOCX in the zip
    comment), which readers accept, so a planned size is the real size.
    """
    if kind == "docx":
        size = min(size, 60_000)  # the zip comment that pads it holds at most 64 KiB
    data = _make(kind, seed, size)
    if len(data) < size:
        pad = size - len(data)
        if kind == "docx" and pad < 65535:
            # The zip's end record (no comment yet) ends in the comment length: grow the comment to fit.
            data = data[:-2] + pad.to_bytes(2, "little") + b" " * pad
        else:
            data += (b"\n" if kind in ("pdf", "txt", "md", "csv", "json") else b"\x00") * pad
    return data[:size] if kind in ("txt", "md", "csv", "bin") else data


def _make(kind: str, seed: str, size: int) -> bytes:
    rng = random.Random(seed)
    if kind == "png":
        return _png(rng, size)
    if kind == "pdf":
        return _pdf(rng, size)
    if kind == "docx":
        return _docx(rng, size)
    if kind == "csv":
        return _text(rng, size, csv=True)
    if kind == "bin":
        return rng.randbytes(size)
    if kind == "json":
        items: list[str] = []
        total = 2
        while total < size:
            item = (
                f'{{"id": {len(items) + 1}, "name": "{rng.choice(_WORDS)}", "value": {rng.randrange(1000)}}}'
            )
            items.append(item)
            total += len(item) + 2
        return ("[" + ", ".join(items) + "]").encode()
    return _text(rng, size)
