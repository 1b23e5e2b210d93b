"""The crawl: Scrapy (and Playwright for browser pages), page checks, extraction to Markdown.
The only floor that imports Scrapy or Playwright, and only inside the functions that crawl."""
