"""The 1C exchange endpoint (CommerceML 2, the shop is the server): /accounting/1c/exchange.

    ?type=catalog|sale&mode=checkauth   HTTP basic (ACCOUNTING_1C_LOGIN / _PASSWORD) -> "success\\n<cookie>\\n<value>"
    ?mode=init                          -> "zip=yes\\nfile_limit=<bytes>"
    ?mode=file&filename=X  (POST body)  one chunk of X (or of a .zip holding it); chunks are appended
    ?mode=import&filename=X             catalog: import.xml (groups, products: onec_catalog.py) / offers.xml
                                        (stock through the guard, then prices)
    ?type=sale&mode=query               the orders 1C has not received (onec_sale.py)
    ?type=sale&mode=success             what the last query sent is marked received
    ?type=sale&mode=file&filename=X     1C's order changes, applied once whole (onec_orders_in.py)
Every step after checkauth needs the session cookie. Answers are text/plain: "success", "progress" or
"failure\\n<reason>". Uploads live in DATA_DIR/1c/<session>, at most ACCOUNTING_1C_MAX_BYTES per session; a zip is
unpacked with the same limit and only plain .xml members.
"""

import base64
import hmac
import re
import secrets
import shutil
import zipfile

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from steadfast.accounting.commerceml import CommerceMLError
from steadfast.accounting.models import SyncTarget
from steadfast.accounting.onec_catalog import catalog_import, offers_apply
from steadfast.accounting.onec_orders_in import orders_from_1c
from steadfast.accounting.onec_sale import sale_query, sale_success
from steadfast.providers.models import Provider

COOKIE = "steadfast_1c"
SESSION_SECONDS = 3600
SAFE_NAME = re.compile(r"^[\w.\-]{1,100}$")


def _text(body, status=200):
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


def _failure(reason, status=200):
    return _text(f"failure\n{reason}", status)


def _basic_ok(request) -> bool:
    login, password = settings.ACCOUNTING_1C_LOGIN, settings.ACCOUNTING_1C_PASSWORD
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not login or not header.startswith("Basic "):
        return False
    try:
        given_login, _, given_password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given_login, login) & hmac.compare_digest(given_password, password)


def _target() -> SyncTarget | None:
    provider = Provider.objects.filter(kind=Provider.Kind.ACCOUNTING, adapter="onec", enabled=True).first()
    return SyncTarget.objects.filter(provider=provider).first() if provider else None


def _polled(target):
    """1C counts as alive (backlog.py) only once it has proved who it is: a scanner hitting the URL must not hide
    an outage."""
    if target is not None:
        SyncTarget.objects.filter(pk=target.pk).update(last_poll_at=timezone.now())


def _folder(session):
    return settings.DATA_DIR / "1c" / session


@csrf_exempt
def exchange(request):
    if not settings.ACCOUNTING_1C_LOGIN:
        return _failure("the 1C exchange is switched off (ACCOUNTING_1C_LOGIN is not set)", 404)
    kind, mode = request.GET.get("type", ""), request.GET.get("mode", "")
    if kind not in ("catalog", "sale") or mode not in ("checkauth", "init", "file", "import", "query", "success"):
        return _failure("unknown type or mode", 400)
    target = _target()
    if mode == "checkauth":
        if not _basic_ok(request):
            response = _failure("wrong login or password", 401)
            response["WWW-Authenticate"] = 'Basic realm="1C exchange"'
            return response
        _polled(target)
        session = secrets.token_hex(16)
        cache.set(f"sf:1c:{session}", {"rows": []}, SESSION_SECONDS)
        return _text(f"success\n{COOKIE}\n{session}")
    session = request.COOKIES.get(COOKIE, "")
    state = cache.get(f"sf:1c:{session}") if re.fullmatch(r"[0-9a-f]{32}", session) else None
    if state is None:
        return _failure("no exchange session: start with mode=checkauth", 401)
    _polled(target)
    if mode == "init":
        shutil.rmtree(_folder(session), ignore_errors=True)
        return _text(f"zip=yes\nfile_limit={settings.ACCOUNTING_1C_FILE_LIMIT}")
    if mode == "file":
        return _file(request, session, kind)
    if mode == "import":
        return _import(request, session)
    if kind != "sale" or target is None:
        return _failure("no 1C accounting provider is set up for orders", 400)
    if mode == "query":
        document, state["rows"] = sale_query(target)
        cache.set(f"sf:1c:{session}", state, SESSION_SECONDS)
        return HttpResponse(document, content_type="application/xml; charset=utf-8")
    sale_success(target, state.get("rows", []))
    cache.set(f"sf:1c:{session}", {"rows": []}, SESSION_SECONDS)
    return _text("success")


def _file(request, session, kind):
    name = request.GET.get("filename", "").replace("\\", "/").rsplit("/", 1)[-1]
    if not SAFE_NAME.match(name) or name.startswith("."):
        return _failure("bad file name", 400)
    body = request.body
    if len(body) > settings.ACCOUNTING_1C_FILE_LIMIT:
        return _failure(f"chunk larger than file_limit ({settings.ACCOUNTING_1C_FILE_LIMIT} bytes)", 413)
    folder = _folder(session)
    folder.mkdir(parents=True, exist_ok=True)
    used = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    if used + len(body) > settings.ACCOUNTING_1C_MAX_BYTES:
        return _failure(f"the exchange is larger than {settings.ACCOUNTING_1C_MAX_BYTES} bytes", 413)
    with open(folder / name, "ab") as out:
        out.write(body)
    if kind == "sale":
        return _sale_file(folder, name)
    return _text("success")


def _sale_file(folder, name):
    """1C's order changes: applied once the file is whole (a zip that opens, an XML that ends its root element);
    until then each chunk is just kept."""
    path = folder / name
    if name.lower().endswith(".zip"):
        if not zipfile.is_zipfile(path):
            return _text("success")
        try:
            _unzip(folder)
        except CommerceMLError as error:
            return _failure(str(error))
        files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".xml")
    else:
        if not path.read_bytes().rstrip().endswith("</КоммерческаяИнформация>".encode()):
            return _text("success")
        files = [path]
    target = _target()
    if target is None:
        return _failure("no 1C accounting provider is set up for orders", 400)
    applied, conflicts, unknown = 0, 0, 0
    try:
        with transaction.atomic():  # a bad file in the zip: the files before it change nothing either
            for xml in files:
                report = orders_from_1c(target, xml.read_bytes())
                applied, conflicts, unknown = (applied + len(report.applied), conflicts + len(report.conflicts),
                                               unknown + len(report.unknown))
    except CommerceMLError as error:
        return _failure(str(error))
    finally:
        for xml in files:
            xml.unlink(missing_ok=True)
    return _text(f"success\n{applied} changes applied, {conflicts} conflicts for staff, {unknown} unknown orders")


def _unzip(folder):
    """Unpack uploaded zips once: plain .xml members only, names flattened, total size bounded."""
    for archive in [f for f in folder.iterdir() if f.suffix.lower() == ".zip"]:
        try:
            with zipfile.ZipFile(archive) as zipped:
                members = [m for m in zipped.infolist() if not m.is_dir()]
                if sum(m.file_size for m in members) > settings.ACCOUNTING_1C_MAX_BYTES:
                    raise CommerceMLError(f"the zip unpacks to more than {settings.ACCOUNTING_1C_MAX_BYTES} bytes")
                for member in members:
                    name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
                    if SAFE_NAME.match(name) and name.lower().endswith(".xml"):
                        with zipped.open(member) as source, open(folder / name, "wb") as out:
                            shutil.copyfileobj(source, out, 64 * 1024)
        except zipfile.BadZipFile:
            raise CommerceMLError("the zip archive is damaged") from None
        archive.unlink()


def _import(request, session):
    name = request.GET.get("filename", "").replace("\\", "/").rsplit("/", 1)[-1]
    folder = _folder(session)
    if not SAFE_NAME.match(name) or not folder.is_dir():
        return _failure("nothing uploaded under that name", 400)
    try:
        _unzip(folder)
    except CommerceMLError as error:
        return _failure(str(error))
    path = folder / name
    if not path.is_file():
        return _failure("nothing uploaded under that name", 400)
    data = path.read_bytes()
    try:
        if name.startswith("offers"):
            return _offers(data, _target())
        report = catalog_import(data)
    except CommerceMLError as error:
        return _failure(str(error))
    return _text(f"success\n{report.categories} new groups, {report.renamed} renamed, {len(report.created)} new "
                 "products created inactive for staff to check")


def _offers(data, target):
    """Stock through the guard; prices of known variants only when the stock import itself was not held. One
    transaction: a price that fails answers failure with the stock unchanged too."""
    record, prices = offers_apply("1c", data, target)
    if record.state == record.State.HELD:
        return _text(f"success\nheld for staff approval: {record.reason}")
    return _text(f"success\n{len(record.changes)} stock changes, {prices} prices")
