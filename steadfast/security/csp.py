"""CSP hashes for the few inline <style> blocks rendered without a request (no nonce to give them)."""

import base64
import hashlib
import re
from pathlib import Path

STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def inline_style_hashes(*templates: Path) -> list[str]:
    """'sha256-…' sources for the static <style> blocks of these templates (the public status page and its
    off-host export: rendered without a request, cached publicly, so a per-response nonce cannot work)."""
    sources = []
    for template in templates:
        if template.exists():
            for body in STYLE.findall(template.read_text(encoding="utf-8")):
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                sources.append(f"'sha256-{digest}'")
    return sources
