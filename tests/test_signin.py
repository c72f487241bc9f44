"""Sign-in throttling: whose failures lock out whom, from where, and what a success forgives.

Requests reach the site as docs/deploy.md sets it up: from nginx on 127.0.0.1,
with the client's address appended to X-Forwarded-For.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.admin_forms import PASSWORD
from timeline.client_address import client_address

PROXY = "127.0.0.1"
STRANGER = "203.0.113.7"
EDITORS_ADDRESS = "198.51.100.20"
WRONG = "not-the-password"


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def sign_in(client, username, password, remote_addr, forwarded_for=None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote_addr,
        **headers,
    )


def via_proxy(client, username, password, address, sent_by_client=None):
    """A sign-in from `address` as nginx passes it on ($proxy_add_x_forwarded_for):
    whatever X-Forwarded-For the client sent, then the address it came from."""
    forwarded_for = f"{sent_by_client}, {address}" if sent_by_client else address
    return sign_in(client, username, password, PROXY, forwarded_for)


def fail_up_to_the_limit(client, settings, address):
    """As many wrong passwords for the editor from `address` as the lock allows."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert via_proxy(client, "editor", WRONG, address).status_code == 200


# ------------------------------------------------------------------ behind the proxy


def test_behind_the_proxy_a_strangers_failures_lock_out_only_the_stranger(
    behind_one_proxy, client, editor, settings
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(client, f"guess-{attempt}", WRONG, STRANGER)
    assert via_proxy(client, "editor", PASSWORD, STRANGER).status_code == 429
    # Every request comes from 127.0.0.1; the editor's own address is what counts.
    assert via_proxy(Client(), "editor", PASSWORD, EDITORS_ADDRESS).status_code == 302


def test_a_forged_forwarded_header_neither_dodges_a_lock_nor_frames_anyone(
    behind_one_proxy, client, editor, settings
):
    # The stranger's header claims the editor's address, and a new one each time.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(
            client, "editor", WRONG, STRANGER, sent_by_client=f"{EDITORS_ADDRESS}, 10.0.0.{attempt}"
        )
    for claim in ("10.0.0.99", EDITORS_ADDRESS, f"{EDITORS_ADDRESS}, {EDITORS_ADDRESS}", "junk"):
        response = via_proxy(client, "editor", PASSWORD, STRANGER, sent_by_client=claim)
        assert response.status_code == 429, claim
    assert via_proxy(Client(), "editor", PASSWORD, EDITORS_ADDRESS).status_code == 302


def test_without_a_proxy_count_the_forwarded_header_is_ignored(client, editor, settings):
    settings.PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess-{attempt}", WRONG, STRANGER, forwarded_for=f"10.0.0.{attempt}")
    dodging = sign_in(client, "editor", PASSWORD, STRANGER, forwarded_for=EDITORS_ADDRESS)
    assert dodging.status_code == 429
    editor_named_as_stranger = sign_in(
        Client(), "editor", PASSWORD, EDITORS_ADDRESS, forwarded_for=STRANGER
    )
    assert editor_named_as_stranger.status_code == 302


@pytest.mark.parametrize(
    ("proxy_count", "remote_addr", "forwarded_for", "address"),
    [
        (0, STRANGER, "192.0.2.1", STRANGER),
        (1, PROXY, f"192.0.2.1, {STRANGER}", STRANGER),
        (1, PROXY, None, PROXY),  # a proxy that sets no header: everyone is one client
        (1, PROXY, "192.0.2.1, junk", PROXY),
        # Fewer entries than proxies: the client went round the outer one, and the
        # only entry is its own claim.
        (2, PROXY, "192.0.2.1", PROXY),
        (2, PROXY, f"192.0.2.1, {STRANGER}, 10.0.0.2", STRANGER),
        # IPv6 clients count per /64, the block a single site is given.
        (1, PROXY, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        (0, "2001:DB8:1:2::9", None, "2001:db8:1:2::"),
        (1, PROXY, f"::ffff:{STRANGER}", STRANGER),
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxy_count, remote_addr, forwarded_for, address
):
    settings.PROXY_COUNT = proxy_count
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr, **headers)
    assert client_address(request) == address


# ------------------------------------------------------------------ what a success forgives


def test_a_friends_sign_in_does_not_forgive_guesses_at_another_account(
    behind_one_proxy, client, editor, django_user_model, settings
):
    django_user_model.objects.create_user("friend", password=PASSWORD, is_staff=True)
    fail_up_to_the_limit(client, settings, STRANGER)
    assert via_proxy(Client(), "friend", PASSWORD, STRANGER).status_code == 302
    # The guesses at the editor's password still count against the address.
    assert via_proxy(client, "editor", WRONG, STRANGER).status_code == 429
    assert via_proxy(client, "editor", PASSWORD, STRANGER).status_code == 429


def test_an_editors_sign_in_forgives_their_own_failures_from_that_address_only(
    behind_one_proxy, client, editor, settings
):
    fail_up_to_the_limit(client, settings, STRANGER)
    fail_up_to_the_limit(client, settings, EDITORS_ADDRESS)
    assert via_proxy(client, "editor", PASSWORD, EDITORS_ADDRESS).status_code == 302
    # The editor's typos are forgotten: they may mistype again...
    fail_up_to_the_limit(Client(), settings, EDITORS_ADDRESS)
    # ...but not the stranger's guesses at their password.
    assert via_proxy(Client(), "editor", WRONG, STRANGER).status_code == 429


# ------------------------------------------------------------------ what is locked


def test_failures_for_one_account_from_many_addresses_do_not_lock_it_out(
    behind_one_proxy, editor, settings
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        assert via_proxy(Client(), "editor", WRONG, f"203.0.113.{attempt + 1}").status_code == 200
    assert via_proxy(Client(), "editor", PASSWORD, EDITORS_ADDRESS).status_code == 302


def test_an_ipv6_client_cannot_dodge_the_lock_by_moving_within_its_network(
    behind_one_proxy, client, editor, settings
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(client, "editor", WRONG, f"2001:db8:1:2::{attempt + 1:x}")
    assert via_proxy(client, "editor", PASSWORD, "2001:db8:1:2:ffff::1").status_code == 429
    assert via_proxy(Client(), "editor", PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_repeated_failed_sign_ins_from_one_address_lock_that_address_for_a_while(
    behind_one_proxy, client, editor, settings
):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = via_proxy(client, f"guess-{attempt}", WRONG, STRANGER)
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()
    # The failure that reaches the limit is refused, and so is the right password after it.
    assert via_proxy(client, "editor", WRONG, STRANGER).status_code == 429
    response = via_proxy(client, "editor", PASSWORD, STRANGER)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in refused for now" in page
    assert "failed sign-in attempts from this address" in page
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert via_proxy(client, "editor", PASSWORD, EDITORS_ADDRESS).status_code == 302
