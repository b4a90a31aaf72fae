from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return HttpResponse("home")


def search(request):
    return HttpResponse("search")


def category(request, slug):
    return HttpResponse("category")


def product(request, slug):
    return HttpResponse("product")


def rate_limited(request, exception):
    return render(request, "storefront/429.html", status=429)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
