"""Work the server does for clients: validation jobs in confined processes, per-client
places shared by every server process, bearer tokens for the write surfaces."""
