"""The hostile-input suite (issue 11): one test per way the server was attacked."""
