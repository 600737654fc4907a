"""Checking a certified copy: the paper and PDF check, and the copy's status asked from the city."""
