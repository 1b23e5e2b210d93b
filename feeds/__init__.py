"""Publishing: Atom/RSS feeds (feedgen), OPML, changes.json and the static changelog site
(Jinja2). Reads the archive; never imports the crawler."""
