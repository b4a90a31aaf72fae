"""`manage.py loadtest` (issue 16): how much traffic the shop takes before a launch. Locust drives shoppers
(shoppers.py) in steps of users (capacity.py) against a loopback copy of the demo shop (stack.py) or a given URL."""
