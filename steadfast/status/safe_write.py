"""Write files under a directory without ever following a symlink (manage.py status export runs from cron).

A planted `index.html.tmp -> /etc/...` or `api -> /` must not make the export write outside its directory. Every
path component is opened relative to its parent's file descriptor with O_NOFOLLOW; temporary files are created
with O_CREAT | O_EXCL | O_NOFOLLOW under an unpredictable name inside the target directory, then renamed over the
final name. A symlink anywhere (the directory itself, a subdirectory, a final name) stops the export with an error.
"""

import os
import secrets
import stat
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class UnsafePath(OSError):
    """The export directory or something in it is a symlink (or not a directory): nothing is written there."""


def _open_dir(name, parent_fd=None, create=False):
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except FileNotFoundError:
        if not create:
            raise
        os.mkdir(name, 0o755, dir_fd=parent_fd)
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except OSError as error:  # ELOOP (a symlink) or ENOTDIR
        raise UnsafePath(f"refusing to write into {name!r}: it is a symlink or not a directory") from error


def write_files_safely(root, files: dict[str, str]) -> list[Path]:
    """Write {relative path: text} under root; returns the paths written."""
    root = Path(root)
    if root.is_symlink():
        raise UnsafePath(f"refusing to export into {root}: it is a symlink")
    root.mkdir(parents=True, exist_ok=True)
    root_fd = _open_dir(str(root))
    written = []
    try:
        for name, content in files.items():
            *folders, filename = Path(name).parts
            fd = os.dup(root_fd)
            try:
                for folder in folders:
                    child = _open_dir(folder, fd, create=True)
                    os.close(fd)
                    fd = child
                _replace(fd, filename, content.encode("utf-8"), root / name)
            finally:
                os.close(fd)
            written.append(root / name)
    finally:
        os.close(root_fd)
    return written


def _replace(dir_fd, filename, data: bytes, shown: Path):
    try:
        if stat.S_ISLNK(os.stat(filename, dir_fd=dir_fd, follow_symlinks=False).st_mode):
            raise UnsafePath(f"refusing to replace {shown}: it is a symlink")
    except FileNotFoundError:
        pass
    temporary = f".{filename}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, FILE_FLAGS, 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, filename, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        os.unlink(temporary, dir_fd=dir_fd)
        raise
