"""Delivery evidence: type checks from the content, EXIF capture time and place, the
perceptual hash, and the near-duplicate lookup across every contract."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import imagehash
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw, ImageEnhance

from catalogue.models import RuleParameter
from contracts import evidence
from contracts.evidence import find_duplicate_photo, hamming, inspect_evidence
from contracts.models import Evidence
from contracts.services.delivery import delivery_report
from core.exceptions import ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- image helpers (shared with the other delivery tests) -------------------------------


def picture(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A distinct picture per seed: coloured ellipses on a coloured ground."""
    r = random.Random(seed)
    img = Image.new("RGB", size, (r.randrange(256), r.randrange(256), r.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(25):
        x0, y0 = r.randrange(size[0]), r.randrange(size[1])
        draw.ellipse(
            (x0, y0, x0 + r.randrange(50, 400), y0 + r.randrange(50, 300)),
            fill=(r.randrange(256), r.randrange(256), r.randrange(256)),
        )
    return img


def exif_block(
    taken: str | None = "2026:03:15 10:20:30",
    lat: tuple[float, float, float] | None = (30.0, 36.0, 18.0),
    lat_ref: str = "N",
    lon: tuple[float, float, float] | None = (104.0, 3.0, 36.5),
    lon_ref: str = "E",
) -> Image.Exif:
    """EXIF written through Pillow's Exif API: DateTimeOriginal and GPS."""
    exif = Image.Exif()
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    if lat and lon:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
        gps[ExifTags.GPS.GPSLatitude] = lat
        gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
        gps[ExifTags.GPS.GPSLongitude] = lon
    return exif


def encode(img: Image.Image, fmt: str = "JPEG", **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def photo(
    seed: int = 1, name: str = "photo.jpg", fmt: str = "JPEG", exif=None, **kwargs
):
    img = picture(seed)
    if exif is not None:
        kwargs["exif"] = exif
    return SimpleUploadedFile(name, encode(img, fmt, **kwargs), "image/jpeg")


def near_copy(seed: int = 1, name: str = "copy.jpg"):
    """The same picture, halved, 10 % brighter and re-encoded at a low quality: not
    the same file and not the same hash, but within a few bits of it."""
    img = ImageEnhance.Brightness(picture(seed).resize((400, 300))).enhance(1.1)
    return SimpleUploadedFile(name, encode(img, quality=60), "image/jpeg")


def pdf(name: str = "sign-in.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def phash_of(upload) -> str:
    upload.seek(0)
    value = str(imagehash.phash(Image.open(upload)))
    upload.seek(0)
    return value


# --- inspecting one file ----------------------------------------------------------------


def test_jpeg_photo_keeps_capture_time_and_place_and_hashes(settings):
    # given a JPEG photo with DateTimeOriginal and a GPS position in its EXIF
    upload = photo(exif=exif_block())
    data = upload.read()
    upload.seek(0)

    # when it is inspected
    info = inspect_evidence(upload, kind="photo")

    # then its capture time is read as Shanghai local time, the position in degrees
    assert info.file_type == "jpeg"
    assert info.captured_at == dt.datetime(2026, 3, 15, 10, 20, 30, tzinfo=SHANGHAI)
    assert info.captured_at.utcoffset() == dt.timedelta(hours=8)
    assert info.latitude == Decimal("30.605000")
    assert info.longitude == Decimal("104.060139")
    # and the sha256 is the file's, the phash the 64-bit perceptual hash in 16 hex
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert len(info.phash) == 16
    assert info.phash == str(imagehash.phash(Image.open(io.BytesIO(data))))
    assert info.size == len(data)
    assert info.name == "photo.jpg"


def test_southern_and_western_positions_are_negative():
    # given a photo taken at 33°52′S 151°12′30″E... and one at 12°N 77°W
    south = photo(exif=exif_block(lat=(33.0, 52.0, 0.0), lat_ref="S"))
    west = photo(
        exif=exif_block(lat=(12.0, 0.0, 0.0), lon=(77.0, 0.0, 0.0), lon_ref="W")
    )

    # when both are inspected
    s = inspect_evidence(south, kind="photo")
    w = inspect_evidence(west, kind="photo")

    # then the hemisphere gives the sign
    assert s.latitude == Decimal("-33.866667")
    assert w.longitude == Decimal("-77.000000")


def test_photo_without_exif_is_valid_without_time_or_place():
    # given a PNG straight from an editor (no EXIF)
    upload = SimpleUploadedFile("scan.png", encode(picture(5), "PNG"), "image/png")

    # when it is inspected
    info = inspect_evidence(upload, kind="photo")

    # then it is accepted, hashed, and has no time or place
    assert info.file_type == "png"
    assert info.captured_at is None
    assert info.latitude is None
    assert info.longitude is None
    assert len(info.phash) == 16


def test_webp_photo_is_accepted_with_its_exif():
    # given a WebP photo with EXIF (core.uploads does not know WebP; evidence does)
    upload = SimpleUploadedFile(
        "p.webp", encode(picture(6), "WEBP", exif=exif_block()), "image/webp"
    )

    # when it is inspected
    info = inspect_evidence(upload, kind="photo")

    # then it is a WebP image with its capture time
    assert info.file_type == "webp"
    assert info.captured_at == dt.datetime(2026, 3, 15, 10, 20, 30, tzinfo=SHANGHAI)


def test_offset_time_original_is_converted_to_shanghai():
    # given a photo taken at 08:00 in UTC+02:00 (OffsetTimeOriginal)
    exif = exif_block(taken="2026:03:15 08:00:00", lat=None, lon=None)
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = "+02:00"

    # when it is inspected
    info = inspect_evidence(photo(exif=exif), kind="photo")

    # then the time is 14:00 in Shanghai
    assert info.captured_at == dt.datetime(2026, 3, 15, 14, 0, tzinfo=SHANGHAI)


def test_garbled_capture_time_is_ignored_not_refused():
    # given a photo whose DateTimeOriginal is the "unset" value some cameras write
    upload = photo(exif=exif_block(taken="0000:00:00 00:00:00"))

    # when it is inspected
    info = inspect_evidence(upload, kind="photo")

    # then it is still a valid photo without a capture time
    assert info.captured_at is None
    assert info.latitude == Decimal("30.605000")


def test_pdf_disguised_as_jpg_is_refused_as_photo():
    # given a PDF named like a photo
    upload = SimpleUploadedFile("现场照片.jpg", PDF, "image/jpeg")

    # when it is inspected as a photo
    with pytest.raises(ValidationFailed) as exc:
        inspect_evidence(upload, kind="photo", field="files")

    # then the field and the reason are given, naming the file
    msg = exc.value.fields["files"][0]
    assert "现场照片.jpg" in msg
    assert "照片只接受 JPEG、PNG 或 WebP" in msg


def test_sign_in_sheet_may_be_pdf_or_image_but_not_text():
    # given a PDF sign-in sheet, a photographed one, and a text file named .pdf
    ok_pdf = inspect_evidence(pdf(), kind="sign_in")
    ok_img = inspect_evidence(photo(name="sheet.jpg"), kind="sign_in")

    # then the first two are accepted (only images get a phash)
    assert ok_pdf.file_type == "pdf"
    assert ok_pdf.phash == ""
    assert ok_img.file_type == "jpeg"
    assert ok_img.phash

    # and the text file is refused with the sign-in sheet's reason
    with pytest.raises(ValidationFailed) as exc:
        inspect_evidence(
            SimpleUploadedFile("sheet.pdf", b"name,signature\n"), kind="sign_in"
        )
    assert "签到表只接受" in exc.value.fields["file"][0]


def test_corrupt_image_with_a_jpeg_signature_is_refused():
    # given a file that starts like a JPEG but is not one
    upload = SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 400)

    # when it is inspected
    with pytest.raises(ValidationFailed) as exc:
        inspect_evidence(upload, kind="photo")

    # then Pillow's refusal becomes a field error, not a server error
    assert "无法识别的图片" in exc.value.fields["file"][0]


def test_png_signature_on_jpeg_content_is_refused():
    # given a PNG header glued to JPEG data (the sniffed type and Pillow disagree)
    data = b"\x89PNG\r\n\x1a\n" + encode(picture(7))[8:]
    upload = SimpleUploadedFile("x.png", data)

    # then it is refused as unreadable
    with pytest.raises(ValidationFailed) as exc:
        inspect_evidence(upload, kind="photo")
    assert "无法识别的图片" in exc.value.fields["file"][0]


def test_empty_too_large_and_unknown_kind_are_refused(settings):
    # given an empty file, a file above the evidence limit and an unknown kind
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed) as empty:
        inspect_evidence(SimpleUploadedFile("a.jpg", b""), kind="photo")
    with pytest.raises(ValidationFailed) as large:
        inspect_evidence(photo(), kind="photo")
    with pytest.raises(ValidationFailed) as kind:
        inspect_evidence(photo(), kind="video")

    # then each says why, on its field
    assert "文件是空的" in empty.value.fields["file"][0]
    assert "文件过大" in large.value.fields["file"][0]
    assert kind.value.fields == {"kind": ["请选择佐证类型。"]}


def test_decompression_bomb_is_refused(monkeypatch):
    # given a pixel ceiling below the photo's size (a bomb is tiny on disk)
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100 * 100)

    # when a 800×600 photo is inspected
    with pytest.raises(ValidationFailed) as exc:
        inspect_evidence(photo(), kind="photo")

    # then it is refused before being decoded
    assert "图片尺寸过大" in exc.value.fields["file"][0]


def test_resized_reencoded_copy_is_near_and_another_picture_is_far():
    # given a photo, its halved/brightened/re-encoded copy and a different picture
    original = phash_of(photo(1))
    copy = phash_of(near_copy(1))
    other = phash_of(photo(2))

    # then the copy is within the seeded threshold (6) and the other picture far off
    assert 0 < hamming(original, copy) <= 6
    assert hamming(original, other) > 16


# --- the near-duplicate lookup ----------------------------------------------------------


def flip(hex16: str, bits: int) -> str:
    """`hex16` with its lowest `bits` bits flipped."""
    return f"{int(hex16, 16) ^ ((1 << bits) - 1):016x}"


@pytest.fixture
def delivery(make_contract, personas):
    contract = make_contract()
    item = contract.items.order_by("pk").first()
    return delivery_report(
        contract=contract,
        actor=personas.vendor,
        contract_item=item,
        period_start=contract.start_on,
        period_end=contract.start_on,
        count=1,
    )


def stored_photo(delivery, phash: str, sha: str = "") -> Evidence:
    return Evidence.objects.create(
        delivery=delivery,
        kind="photo",
        file="contracts/evidence/x.jpg",
        name="x.jpg",
        sha256=sha,
        phash=phash,
    )


def test_lookup_finds_the_nearest_earlier_photo_in_sql(delivery):
    # given stored photos at distances 3 and 5 from a new hash, and one at 7
    base = "8f3a5c7e9b1d2f40"
    at3 = stored_photo(delivery, flip(base, 3))
    stored_photo(delivery, flip(base, 5))
    stored_photo(delivery, flip(base, 7))

    # when a photo with hash `base` is looked up with threshold 6
    dup, distance = find_duplicate_photo(sha256="", phash=base, threshold=6)

    # then the nearest one is named, with its distance
    assert dup == at3
    assert distance == 3

    # and with threshold 2 nothing is near enough
    assert find_duplicate_photo(sha256="", phash=base, threshold=2) == (None, None)


def test_lookup_prefers_the_same_file_then_the_same_hash(delivery):
    # given an earlier photo with a known sha256 and another with the same phash
    same_file = stored_photo(delivery, "0000000000000001", sha="ab" * 32)
    same_hash = stored_photo(delivery, "123456789abcdef0")

    # then the same file wins at distance 0, whatever its phash
    assert find_duplicate_photo(
        sha256="ab" * 32, phash="123456789abcdef0", threshold=6
    ) == (same_file, 0)
    # and an exact phash matches at distance 0 even with threshold 0
    assert find_duplicate_photo(
        sha256="cd" * 32, phash="123456789abcdef0", threshold=0
    ) == (same_hash, 0)


def test_lookup_ignores_sign_in_sheets_and_bad_hashes(delivery):
    # given a sign-in sheet image with the very same hash and a malformed hash
    Evidence.objects.create(
        delivery=delivery,
        kind="sign_in",
        file="a.jpg",
        name="a.jpg",
        phash="00ff00ff00ff00ff",
    )
    stored_photo(delivery, "zz")

    # then neither is a candidate (only photos are compared)
    assert find_duplicate_photo(sha256="", phash="00ff00ff00ff00ff", threshold=6) == (
        None,
        None,
    )


def test_python_fallback_gives_the_same_answer(delivery, monkeypatch):
    # given the same stored photos as in SQL
    base = "f0f0f0f0f0f0f0f0"
    at2 = stored_photo(delivery, flip(base, 2))
    stored_photo(delivery, flip(base, 4))

    # when the database is not PostgreSQL
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")

    # then the bounded Python scan finds the same nearest photo
    assert find_duplicate_photo(sha256="", phash=base, threshold=6) == (at2, 2)


def test_threshold_comes_from_the_rule_parameter(delivery, orgs):
    # given the seeded parameter (6), then a district override of 0
    contract = delivery.contract
    assert evidence.duplicate_threshold(contract) == 6
    RuleParameter.objects.create(
        key="evidence.photo.duplicate_distance",
        jurisdiction=orgs.s1,
        valid_from=dt.date(2000, 1, 1),
        value_type="integer",
        value=0,
    )

    # then the street's own value wins
    assert evidence.duplicate_threshold(contract) == 0


def test_threshold_falls_back_to_six_without_the_parameter(delivery):
    # given no parameter at all
    RuleParameter.objects.filter(key="evidence.photo.duplicate_distance").delete()

    # then the default applies
    assert evidence.duplicate_threshold(delivery.contract) == 6
