"""The citizen's services around a visit: the fee, payment, queue tickets, staff calls, delivery and reprint."""
