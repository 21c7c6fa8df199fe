"""factcheck: a local fact-checking assistant over a folder of news articles."""

__version__ = "0.1.0"
