from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.orders.services import orders_expire_reservations


@db_periodic_task(crontab(minute="*"))
@lock_task("orders-expire-reservations")
def orders_expire_reservations_task():
    orders_expire_reservations()
