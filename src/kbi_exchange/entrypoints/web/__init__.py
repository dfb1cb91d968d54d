"""The web pages of both nodes (issue 22): server-rendered, Dutch, on the use cases."""
