# One date format for English, day first with 24-hour time ("30 Nov 2026, 17:56"): no US-style dates, and no
# "p.m." whose full stop doubles the one that ends a sentence.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
