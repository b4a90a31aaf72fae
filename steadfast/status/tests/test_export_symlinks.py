"""manage.py status export never follows a symlink out of its directory."""

import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def export(directory):
    call_command("status", "export", str(directory), stdout=StringIO())


@pytest.fixture
def victim(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "precious.txt"
    target.write_text("keep me")
    return target


def test_a_planted_tmp_symlink_is_never_written_through(tmp_path, victim):
    out = tmp_path / "export"
    out.mkdir()
    os.symlink(victim, out / "index.html.tmp")
    export(out)
    assert victim.read_text() == "keep me"
    assert "<html" in (out / "index.html").read_text()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") and p.name != "index.html.tmp"]


@pytest.mark.parametrize("link", ["contacts", "api", "api/v2"])
def test_a_symlinked_subdirectory_is_refused(tmp_path, victim, link):
    out = tmp_path / "export"
    out.mkdir()
    if link == "api/v2":
        (out / "api").mkdir()
    os.symlink(victim.parent, out / link)
    with pytest.raises(CommandError, match="symlink"):
        export(out)
    assert sorted(p.name for p in victim.parent.iterdir()) == ["precious.txt"]


def test_a_symlinked_final_file_or_directory_is_refused(tmp_path, victim):
    out = tmp_path / "export"
    out.mkdir()
    os.symlink(victim, out / "feed.atom")
    with pytest.raises(CommandError, match="symlink"):
        export(out)
    assert victim.read_text() == "keep me"

    link = tmp_path / "link-to-outside"
    os.symlink(victim.parent, link)
    with pytest.raises(CommandError, match="symlink"):
        export(link)
    assert sorted(p.name for p in victim.parent.iterdir()) == ["precious.txt"]
