"""Adapters: the outside world (files, formats, databases, crypto) behind plain interfaces."""
