"""Find and normalise the links an applicant gives (GitHub, GitLab, Scholar, LinkedIn, own site).

``find_links`` is pure and idempotent on its own output:
``find_links(" ".join(find_links(t))) == find_links(t)``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["CODE_HOSTS", "find_links", "is_code_link", "normalize_link"]

# Hosts whose links count as "a link to their GitHub (or other public code)".
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sr.ht")

MAX_LINKS = 100
MAX_LINK_LENGTH = 2048

_URL_CHARS = r"[^\s<>\"'`{}|\\^\[\]]"
_BARE_HOSTS = (
    r"github\.com|gitlab\.com|bitbucket\.org|scholar\.google\.com|"
    r"(?:[a-z]{2,3}\.)?linkedin\.com|orcid\.org|researchgate\.net"
)
_URL_RE = re.compile(
    rf"""
    \bhttps?://{_URL_CHARS}+
    | (?<![\w.@/-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#:]{_URL_CHARS}*)?
    | (?<![\w.@/-])(?:{_BARE_HOSTS})/{_URL_CHARS}+
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_TLD_RE = re.compile(r"\.[a-z]{2,}$")
_SCHEME_RE = re.compile(r"https?://", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?'\"*"
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "trk",
        "trkinfo",
        "_hsenc",
        "_hsmi",
        "si",
    }
)
_IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".svg",
    ".webp",
    ".ico",
    ".tif",
    ".tiff",
)
# Hosts that never carry an applicant's profile: markup namespaces, trackers, mail plumbing.
_IGNORED_HOSTS = (
    "w3.org",
    "schemas.microsoft.com",
    "schemas.openxmlformats.org",
    "purl.org",
    "doubleclick.net",
    "google-analytics.com",
    "list-manage.com",
    "sendgrid.net",
    "mandrillapp.com",
    "mailchimp.com",
    "mcusercontent.com",
    "googleusercontent.com",
    "gstatic.com",
    "safelinks.protection.outlook.com",
)
_IGNORED_HOST_PREFIXES = ("click.", "clicks.", "track.", "tracking.", "pixel.", "email.")
# Hosts where https is canonical and the www. prefix is redundant.
_HTTPS_HOSTS = (
    "github.com",
    "gist.github.com",
    "gitlab.com",
    "bitbucket.org",
    "linkedin.com",
    "scholar.google.com",
    "orcid.org",
    "researchgate.net",
    "codeberg.org",
)


def find_links(text: str) -> list[str]:
    """Every useful link in ``text``, normalised, de-duplicated, in order of first appearance."""
    found: list[str] = []
    seen: set[str] = set()
    # A resume repeats its links on every page: each distinct spelling is normalised once.
    tried: set[str] = set()
    for match in _URL_RE.finditer(text):
        raw = match.group(0)
        if raw in tried:
            continue
        tried.add(raw)
        link = normalize_link(raw)
        if link is None or link in seen:
            continue
        seen.add(link)
        found.append(link)
        if len(found) >= MAX_LINKS:
            break
    return found


def normalize_link(raw: str) -> str | None:
    """The canonical form of one link, or None when it is not a link worth keeping."""
    candidate = _strip_trailing(raw.strip())
    if not _SCHEME_RE.match(candidate):
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not _HOST_RE.match(host) or not _TLD_RE.search(host):
        return None
    if _is_ignored_host(host):
        return None
    bare = host.removeprefix("www.")
    if bare in _HTTPS_HOSTS:
        scheme, host = "https", bare
    netloc = host
    if port is not None and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        netloc = f"{host}:{port}"
    if parts.path.lower().endswith(_IMAGE_SUFFIXES):
        return None
    path = parts.path
    if host == "github.com":  # owner and repository names are case-insensitive on GitHub
        segments = path.split("/")
        path = "/".join([*(seg.lower() for seg in segments[:3]), *segments[3:]])
    link = _finish(urlunsplit((scheme, netloc, path, _strip_tracking(parts.query), parts.fragment)))
    return link if len(link) <= MAX_LINK_LENGTH else None


def is_code_link(link: str) -> bool:
    """True for links to public code hosts (GitHub, GitLab, Bitbucket, Codeberg, SourceHut)."""
    try:
        host = (urlsplit(link).hostname or "").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in CODE_HOSTS)


def _finish(link: str) -> str:
    previous = None
    while previous != link:
        previous = link
        link = _strip_trailing(link)
        scheme_end = link.find("://") + 3
        if "?" not in link and "#" not in link and link.endswith("/") and len(link) > scheme_end:
            link = link.rstrip("/")
    return link


def _strip_trailing(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = text.rstrip(_TRAILING_PUNCT)
        for opener, closer in (("(", ")"), ("<", ">")):
            if text.endswith(closer) and text.count(closer) > text.count(opener):
                text = text[:-1]
    return text


def _strip_tracking(query: str) -> str:
    if not query:
        return ""
    kept = []
    for piece in query.split("&"):
        key = piece.split("=", 1)[0].lower()
        if not piece or key.startswith("utm_") or key in _TRACKING_PARAMS:
            continue
        kept.append(piece)
    return "&".join(kept)


def _is_ignored_host(host: str) -> bool:
    if host.startswith(_IGNORED_HOST_PREFIXES):
        return True
    return any(host == h or host.endswith("." + h) for h in _IGNORED_HOSTS)
