"""Reading articles from disk, cleaning, chunking, and ingesting them into the store."""
