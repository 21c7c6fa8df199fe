"""Turning an input file's bytes into text: UTF-8 first (with a few stray bytes tolerated), then
the best guess at a legacy encoding; binary files refused."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from factcheck.errors import InputFileError

_SNIFF_BYTES = 8192
# surrogateescape turns each byte that is not part of valid UTF-8 into one of U+DC80..U+DCFF.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ESCAPED_TO_REPLACEMENT = {code: "\ufffd" for code in range(0xDC80, 0xDD00)}


def decode(source: str, data: bytes) -> tuple[str, str, list[str]]:
    """Text, the encoding used, and notes for the user; UTF-8 first, then the best guess."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Notepad's "Unicode"; full of NULs
        return _checked(source, data.decode("utf-16", errors="replace")), "utf-16", ["decoded as utf-16"]
    if b"\0" in data[:_SNIFF_BYTES]:
        raise InputFileError(source, "binary file (contains NUL bytes)")
    codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return _checked(source, data.decode(codec)), codec, []
    except UnicodeDecodeError:
        pass
    if repaired := _utf8_with_strays(data, codec):
        text, invalid = repaired
        plural = "byte" if invalid == 1 else "bytes"
        return _checked(source, text), codec, [f"not valid UTF-8: {invalid} invalid {plural} replaced with U+FFFD"]
    text, guessed = _guess_decoding(source, data)
    return _checked(source, text), guessed, [f"not valid UTF-8; decoded as {guessed}"]


def _utf8_with_strays(data: bytes, codec: str) -> tuple[str, int] | None:
    """The text with each invalid byte as one U+FFFD, and how many there were, when the bytes
    are mostly UTF-8 (see mostly_utf8); None when they look like a legacy encoding."""
    escaped = data.decode(codec, errors="surrogateescape")
    invalid = len(_ESCAPED_BYTE.findall(escaped))
    multibyte = len(_NON_ASCII.findall(escaped)) - invalid
    if not mostly_utf8(multibyte=multibyte, invalid=invalid):
        return None
    return escaped.translate(_ESCAPED_TO_REPLACEMENT), invalid


def mostly_utf8(*, multibyte: int, invalid: int) -> bool:
    """Whether bytes that fail to decode as UTF-8 are still UTF-8 text with a few damaged bytes.

    multibyte counts valid multi-byte UTF-8 sequences (each non-ASCII character), invalid the
    bytes that belong to none. The rule is: UTF-8 when the sequences outnumber the invalid bytes.
    Why: in a legacy single-byte text (cp1252, Latin-1, cp1251) nearly every byte >= 0x80 is
    invalid UTF-8, and a valid sequence only appears by accident (e.g. cp1252 "É”" is C9 94), so
    invalid bytes dominate. A UTF-8 file with a stray byte (a pasted cp1252 quote, a bad edit) is
    the reverse; decoding it whole as cp1252 would turn every "’" into "â€™" to save one byte.
    A tie goes to the legacy decoding, as before this rule existed.
    """
    return multibyte > invalid


def _guess_decoding(source: str, data: bytes) -> tuple[str, str]:
    # Mostly-ASCII bytes with some others are, for English news, nearly always cp1252 (curly
    # quotes, dashes, accents), and charset_normalizer guesses poorly from so few telling bytes.
    # Cyrillic, Greek etc. in a single-byte code are mostly high bytes and still go to the guesser.
    if sum(b >= 0x80 for b in data) < 0.3 * len(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputFileError(source, "not valid text (no plausible encoding)")
    return str(best), best.encoding


def _checked(source: str, text: str) -> str:
    """Reject text that is mostly control characters or replacement marks: a binary file."""
    sample = text[:_SNIFF_BYTES]
    odd = sum(1 for ch in sample if ch == "\ufffd" or _is_control(ch))
    if sample and odd / len(sample) > 0.1:
        raise InputFileError(source, "binary file (mostly non-text characters)")
    return text


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "C" and ch not in "\t\n\r\f\v"
