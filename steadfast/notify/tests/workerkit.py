"""A delivery worker in a process of its own, for the kill -9 test:

    python -m steadfast.notify.tests.workerkit deliver <message id>

Runs with the test's database (DATABASE_URL set by the test) and exits when the delivery returns.
"""

import sys


def main(argv):
    import django

    django.setup()
    from steadfast.notify.delivery import outbox_deliver

    command, message_id = argv
    assert command == "deliver", command
    print("delivered" if outbox_deliver(int(message_id)) else "not delivered", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
