"""Our exception types. The library raises these; only the CLI turns them into messages and exit codes."""


class FactcheckError(Exception):
    "Base class for every error factcheck reports to a user."


class ConfigError(FactcheckError):
    "A setting has a value factcheck cannot use."


class UnknownPreset(FactcheckError):
    "No model preset has that name, and it is not a path to a .gguf file."


class ModelNotProvisioned(FactcheckError):
    "The model file is not on disk yet."


class ModelUnavailable(FactcheckError):
    "The model could not be fetched (network, registry or hub refused)."


class ChecksumMismatch(FactcheckError):
    "A downloaded or converted model file does not have the expected sha256."


class ModelLoadError(FactcheckError):
    "llama.cpp could not load the model file."


class UnknownBackend(FactcheckError):
    "No implementation is registered under that name."


class InputFileError(FactcheckError):
    "An input file cannot be ingested (empty, binary, too large, unreadable, unsupported)."

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(FactcheckError):
    "The vector store could not be opened or written."


class EmptyCorpus(FactcheckError):
    "The corpus has no documents yet: there is nothing to check against."


class DocumentNotFound(FactcheckError):
    "No document with that id is in the corpus."


class OutputNotWritable(FactcheckError):
    "The report cannot be written where --out says (no such folder, not a folder, not writable)."


class StoreBusy(StoreError):
    "Another factcheck process is writing to the store; a second writer would corrupt it."


class ModelServerUnreachable(FactcheckError):
    "The model server (--model URL) cannot be reached: nothing answers at its address."


class ModelServerError(FactcheckError):
    "The model server refused a request, failed on it, or did not answer in time, after its retries."
