"""What an operator needs from the running site: health checks, the request log and the production server command.

No domain logic: it reads the search backend's state from `search.health` and the database's from Django.
"""
