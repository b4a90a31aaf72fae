"""Write the static copy of the status page (for another host or bucket, and for nginx to fall back to)."""

from pathlib import Path

from steadfast.status.offline import STATUS_ROOT, export_files, nginx_snippet  # noqa: F401 (the command's API)
from steadfast.status.safe_write import write_files_safely


def status_export(directory, base_href=STATUS_ROOT, language=None) -> list[Path]:
    """Write the static copy (see status.offline: the page, history, incidents, contacts, feed, every
    api/v2 document, and the unreachable/ variant nginx falls back to); return the paths.

    Files are written to a temporary name and renamed, so a web server never serves half a file; no symlink is
    ever followed (status/safe_write.py).
    """
    return write_files_safely(directory, export_files(base_href, language))
