"""Write the static copy of the status page (for another host or bucket, and for nginx to fall back to)."""

from pathlib import Path

from steadfast.status.offline import STATUS_ROOT, export_files, nginx_snippet  # noqa: F401 (the command's API)


def status_export(directory, base_href=STATUS_ROOT, language=None) -> list[Path]:
    """Write the static copy (see status.offline: the page, history, incidents, contacts, feed, every
    api/v2 document, and the unreachable/ variant nginx falls back to); return the paths.

    Files are written to a temporary name and renamed, so a web server never serves half a file.
    """
    root = Path(directory)
    files = export_files(base_href, language)
    written = []
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(content, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written
