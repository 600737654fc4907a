"""What the city does with a copy after the visit: the post-check, delivery, payments, staff calls, the seal check, risk flags, staff accounts and KPIs."""
