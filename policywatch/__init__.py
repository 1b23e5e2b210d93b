"""policywatch: track policy pages, keep every version, explain what changed, publish it."""

__version__ = "0.1.0"
