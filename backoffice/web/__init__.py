"""The staff and public web pages: the officers' post-check console, the public status, retrieval, and central IT's operations dashboard."""
