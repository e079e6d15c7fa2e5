"""Delivery evidence (服务佐证): what an uploaded file is, and whether a photo was
used before.

`inspect_evidence` reads an upload without writing anything: it checks the type from
the content (core.uploads), opens images with Pillow, and computes the sha256, the
64-bit perceptual hash (imagehash.phash, 16 hex characters), the EXIF capture time
(DateTimeOriginal, in Asia/Shanghai) and the GPS position. `find_duplicate_photo`
looks for the same or a near-identical earlier photo across every contract and
vendor. The services call both: every file of a report is inspected before anything
is written, and the lookup runs inside the write's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.rules import RuleParameterMissing, rule_value
from core.exceptions import ValidationFailed
from core.uploads import sniff, validate_upload

from .choices import EvidenceKind
from .models import Contract, Evidence

SHANGHAI = ZoneInfo("Asia/Shanghai")

# What each kind of evidence may be (detected from the content, never the name).
IMAGE_TYPES = ("jpeg", "png", "webp")
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    EvidenceKind.PHOTO: IMAGE_TYPES,
    EvidenceKind.SIGN_IN: (*IMAGE_TYPES, "pdf"),
    EvidenceKind.FILE: (*IMAGE_TYPES, "pdf"),
}
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Larger images are refused rather than decoded (a decompression bomb is a few KB).
MAX_PIXELS = 60_000_000

DUPLICATE_RULE = "evidence.photo.duplicate_distance"
DEFAULT_DUPLICATE_DISTANCE = 6
# The Hamming scan compares a new photo with at most this many of the most recent
# earlier photos (see find_duplicate_photo).
SCAN_LIMIT = 100_000
PYTHON_SCAN_LIMIT = 5_000

HEX16 = re.compile(r"^[0-9a-f]{16}$")

# EXIF tags (Pillow's ExifTags numbers).
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_DATETIME_ORIGINAL = 36867
TAG_OFFSET_TIME_ORIGINAL = 36881
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
SIX_PLACES = Decimal("0.000001")


@dataclass
class EvidenceInfo:
    """What one inspected upload is; nothing is stored yet."""

    upload: Any
    kind: str
    file_type: str  # jpeg / png / webp / pdf
    name: str
    size: int
    sha256: str
    phash: str = ""
    captured_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    @property
    def is_image(self) -> bool:
        return self.file_type in IMAGE_TYPES


def _name(upload: Any) -> str:
    raw = str(getattr(upload, "name", "") or "")
    return raw.replace("\\", "/").rsplit("/", 1)[-1][:200] or "evidence"


def _is_webp(head: bytes) -> bool:
    return len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _type_message(kind: str) -> str:
    if kind == EvidenceKind.PHOTO:
        return _("照片只接受 JPEG、PNG 或 WebP 格式的图片。")
    if kind == EvidenceKind.SIGN_IN:
        return _("签到表只接受图片（JPEG、PNG、WebP）或 PDF 文件。")
    return _("只接受图片（JPEG、PNG、WebP）或 PDF 文件。")


def _fail(field: str, name: str, reason: Any) -> ValidationFailed:
    return ValidationFailed(
        fields={field: [_("“%(name)s”：%(reason)s") % {"name": name, "reason": reason}]}
    )


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    chunks = (
        upload.chunks()
        if hasattr(upload, "chunks")
        else iter(lambda: upload.read(1 << 16), b"")
    )
    for chunk in chunks:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _ratio(value: Any) -> float:
    """An EXIF rational (IFDRational, a (num, den) pair or a number) as a float."""
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
        return float(num) / float(den)
    return float(value)


def _gps_degrees(dms: Any, ref: Any) -> Decimal | None:
    try:
        parts = [_ratio(v) for v in dms]
        if len(parts) != 3:
            return None
        degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if degrees != degrees:  # NaN from a zero denominator
        return None
    ref_text = (
        ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref or "")
    )
    if ref_text.strip().upper() in ("S", "W"):
        degrees = -degrees
    return Decimal(repr(degrees)).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def _capture_time(exif_ifd: dict[int, Any]) -> dt.datetime | None:
    """DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"), local time of the camera: taken as
    Asia/Shanghai unless OffsetTimeOriginal says otherwise; None if unreadable."""
    raw = exif_ifd.get(TAG_DATETIME_ORIGINAL)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    try:
        # EXIF times carry no zone; the zone is attached below.
        naive = dt.datetime.strptime(  # noqa: DTZ007
            raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S"
        )
    except ValueError:
        return None
    offset = exif_ifd.get(TAG_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and re.fullmatch(r"[+-]\d\d:\d\d", offset.strip()):
        text = offset.strip()
        sign = -1 if text[0] == "-" else 1
        delta = dt.timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))
        if delta <= dt.timedelta(hours=14):
            aware = naive.replace(tzinfo=dt.timezone(sign * delta))
            return aware.astimezone(SHANGHAI)
    return naive.replace(tzinfo=SHANGHAI)


def _read_exif(image: Any) -> tuple[dt.datetime | None, Decimal | None, Decimal | None]:
    """Capture time and position from the image's EXIF; anything unreadable is None
    (a photo without EXIF is still a valid photo)."""
    try:
        exif = image.getexif()
        exif_ifd = dict(exif.get_ifd(IFD_EXIF))
        gps = dict(exif.get_ifd(IFD_GPS))
    except Exception:  # noqa: BLE001 - malformed EXIF must not refuse the photo
        return None, None, None
    captured = _capture_time(exif_ifd)
    lat = lon = None
    if GPS_LAT in gps and GPS_LON in gps:
        lat = _gps_degrees(gps[GPS_LAT], gps.get(GPS_LAT_REF))
        lon = _gps_degrees(gps[GPS_LON], gps.get(GPS_LON_REF))
        if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
            lat = lon = None
        elif lat == 0 and lon == 0:  # an unset position some cameras write
            lat = lon = None
    return captured, lat, lon


def _inspect_image(
    upload: Any, file_type: str, field: str, name: str
) -> tuple[str, dt.datetime | None, Decimal | None, Decimal | None]:
    """Open the image with Pillow (refusing what it cannot read), then the phash and
    the EXIF capture time and place."""
    import imagehash
    from PIL import Image, ImageOps

    unreadable = _("无法识别的图片，文件可能已损坏。")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format != PIL_FORMATS[file_type]:
                raise _fail(field, name, unreadable)
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _fail(field, name, _("图片尺寸过大。"))
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            captured, lat, lon = _read_exif(image)
            # Decode JPEGs at a reduced scale: the hash works on 32×32 anyway.
            image.draft("RGB", (512, 512))
            upright = ImageOps.exif_transpose(image)
            phash = str(imagehash.phash(upright))
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise _fail(field, name, _("图片尺寸过大。")) from None
    except Exception:  # noqa: BLE001 - Pillow raises many types on a bad file
        raise _fail(field, name, unreadable) from None
    finally:
        upload.seek(0)
    return phash, captured, lat, lon


def inspect_evidence(
    upload: Any, *, kind: str, field: str = "file", max_bytes: int | None = None
) -> EvidenceInfo:
    """Validate one uploaded evidence file and read what it says about itself.

    Raises:
        ValidationFailed: on `kind` (unknown kind) or on `field` (empty, too large,
            not of a type the kind accepts, an image Pillow cannot open).
    """
    if kind not in ALLOWED_TYPES:
        raise ValidationFailed(fields={"kind": [_("请选择佐证类型。")]})
    if upload is None:
        raise ValidationFailed(fields={field: [_("请选择文件。")]})
    name = _name(upload)
    limit = max_bytes if max_bytes is not None else settings.EVIDENCE_MAX_BYTES
    size = int(getattr(upload, "size", 0) or 0)
    allowed = ALLOWED_TYPES[kind]
    if not size or size > limit:
        # core.uploads checks the size first: its message says what is wrong.
        try:
            validate_upload(upload, field=field, allowed=("pdf",), max_bytes=limit)
        except ValidationFailed as exc:
            raise _fail(field, name, exc.fields[field][0]) from None
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    file_type = "webp" if _is_webp(head) else sniff(head)
    if file_type not in allowed:
        raise _fail(field, name, _type_message(kind))
    if file_type != "webp":
        # The same check by the shared helper (type from the content, size).
        try:
            validate_upload(
                upload,
                field=field,
                allowed=tuple(a for a in allowed if a != "webp"),
                max_bytes=limit,
            )
        except ValidationFailed:
            raise _fail(field, name, _type_message(kind)) from None
    info = EvidenceInfo(
        upload=upload,
        kind=kind,
        file_type=str(file_type),
        name=name,
        size=size,
        sha256=_sha256(upload),
    )
    if info.is_image:
        info.phash, info.captured_at, info.latitude, info.longitude = _inspect_image(
            upload, info.file_type, field, name
        )
    return info


def duplicate_threshold(contract: Contract, on: dt.date | None = None) -> int:
    """The rule parameter `evidence.photo.duplicate_distance` for the contract's
    buyer (6 when no layer defines it or its value is unusable)."""
    try:
        value = rule_value(DUPLICATE_RULE, contract.buyer, on or timezone.localdate())
        threshold = int(value)
    except (RuleParameterMissing, TypeError, ValueError):
        return DEFAULT_DUPLICATE_DISTANCE
    return threshold if 0 <= threshold <= 32 else DEFAULT_DUPLICATE_DISTANCE


def hamming(a: str, b: str) -> int:
    """Bits that differ between two 16-hex-digit hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def find_duplicate_photo(
    *, sha256: str, phash: str, threshold: int
) -> tuple[Evidence | None, int | None]:
    """The earlier photo (of any contract and vendor) this one repeats, and the
    Hamming distance between their perceptual hashes (0 for the same file).

    How the candidates are narrowed, so the lookup does not grow into a full scan in
    Python as photos accumulate:
    1. the same file: `sha256` is indexed, across all history;
    2. the same perceptual hash (a re-encoded or resized copy usually hashes
       identically): `phash` is indexed, across all history;
    3. a near-identical photo (distance 1..threshold): on PostgreSQL the distance
       is computed in SQL (`bit_count` of the XOR of the two 64-bit hashes) over the
       SCAN_LIMIT most recent photos, and only the best match comes back; elsewhere
       (SQLite in development) the PYTHON_SCAN_LIMIT most recent hashes are
       compared in Python. Prefix buckets were rejected: with 6 differing bits out
       of 64, more than half of near-duplicates differ in the first byte already.
    The oldest photo wins among equals: it is the original.
    """
    photos = Evidence.objects.filter(kind=EvidenceKind.PHOTO)
    same = photos.filter(sha256=sha256).order_by("id").first() if sha256 else None
    if same is not None:
        return same, 0
    if not HEX16.match(phash or ""):
        return None, None
    same = photos.filter(phash=phash).order_by("id").first()
    if same is not None:
        return same, 0
    if threshold <= 0:
        return None, None
    if connection.vendor == "postgresql":
        table = Evidence._meta.db_table
        sql = (
            "SELECT id, d FROM ("
            " SELECT id, bit_count(('x' || phash)::bit(64) # ('x' || %s)::bit(64)) AS d"
            f" FROM (SELECT id, phash FROM {table}"
            "  WHERE kind = %s AND phash ~ '^[0-9a-f]{16}$'"
            "  ORDER BY id DESC LIMIT %s) AS recent"
            ") AS scored WHERE d <= %s ORDER BY d, id LIMIT 1"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [phash, EvidenceKind.PHOTO.value, SCAN_LIMIT, threshold])
            row = cur.fetchone()
        if row is None:
            return None, None
        return Evidence.objects.get(pk=row[0]), int(row[1])
    best: tuple[int, int] | None = None
    recent = (
        photos.exclude(phash="")
        .order_by("-id")
        .values_list("id", "phash")[:PYTHON_SCAN_LIMIT]
    )
    for pk, other in recent:
        if not HEX16.match(other):
            continue
        d = hamming(phash, other)
        if d <= threshold and (best is None or (d, pk) < best):
            best = (d, pk)
    if best is None:
        return None, None
    return Evidence.objects.get(pk=best[1]), best[0]
