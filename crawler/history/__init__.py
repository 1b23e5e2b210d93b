"""The readers of history: a folder of dated files, a file's git history and the Wayback
Machine's captures, each turned into dated versions for `archive.importers`, and archived pages
checked and extracted as a crawled page would be (pages.py)."""
