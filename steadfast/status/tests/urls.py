"""The real URLs plus one plain page built on base.html, so the tests do not depend on storefront templates."""

from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from steadfast.urls import urlpatterns as real_urlpatterns

PAGE = Template('{% extends "base.html" %}{% block content %}<p id="browse">Browsing the catalog</p>{% endblock %}')


def plain_page(request):
    return HttpResponse(PAGE.render(RequestContext(request)))


def broken_page(request):
    raise RuntimeError("a bug in a view")  # Django turns it into a 500 response


urlpatterns = [path("p/plain/", plain_page), path("p/broken/", broken_page), *real_urlpatterns]
