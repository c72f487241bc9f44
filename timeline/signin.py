"""What a successful sign-in forgives: that account's own failures, from that address."""

from axes.helpers import get_client_ip_address
from axes.utils import reset


def forgive_own_failures(sender, request, user, **kwargs):
    """Signal receiver (user_logged_in): forget the failures recorded for this account
    from this address, so that an editor's typos do not count towards locking out the
    address they work from.

    Nothing else: django-axes' own AXES_RESET_ON_SUCCESS would forget every failure
    from the address, so that anyone with an account could guess another account's
    password without end, signing in to their own between guesses. Without a known
    address (a sign-in made in code rather than through a request) nothing is reset,
    rather than the account's failures from everywhere.
    """
    address = get_client_ip_address(request) if request is not None else None
    if address and user.get_username():
        reset(ip=address, username=user.get_username())
