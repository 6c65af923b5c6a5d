from django.test import RequestFactory

from config.clients import client_ip, login_username

PROXY = "10.0.0.254"


def request(forwarded=None, remote=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_address_is_remote_addr_whatever_headers_say(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request("203.0.113.9")) == PROXY


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"
    # A forged entry sent by the client stands to the left of what the proxy appended.
    assert client_ip(request("198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_address_is_second_from_the_right(settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 2
    assert client_ip(request("198.51.100.1, 203.0.113.9, 10.0.0.7")) == "203.0.113.9"


def test_a_missing_or_malformed_forwarded_address_falls_back_to_remote_addr(settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    assert client_ip(request()) == PROXY
    assert client_ip(request("not-an-address")) == PROXY


def test_the_recorded_username_is_cut_to_the_longest_a_user_can_have():
    assert login_username(request(), {"username": "x" * 300}) == "x" * 150
