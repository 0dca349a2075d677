"""What the web pages show, computed next to the store: the landscape, domains, terms,
registry pages and search, every text a :class:`cityref.text.Bilingual`."""
