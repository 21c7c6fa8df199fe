"""`factcheck ingest` and `factcheck corpus list | show | search | remove | prune | stats`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from factcheck.cli.common import (
    EXIT_CODES_HELP,
    ExitCode,
    OutputFormat,
    escape,
    parse_day,
    print_json,
    state,
    stderr,
    stdout,
)

if TYPE_CHECKING:
    from factcheck.config import Settings
    from factcheck.schema import DocumentRecord, IngestOutcome, IngestSummary

app = typer.Typer(
    help="Look at and manage the ingested articles.",
    no_args_is_help=True,
    epilog=EXIT_CODES_HELP,
    rich_markup_mode=None,
)

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
DocIdArg = Annotated[str, typer.Argument(help="Document id: the file name without extension.")]


def open_store(settings: Settings):
    """store.open_store, imported when a command runs: --help must not read in the store's modules."""
    from factcheck.store import open_store as opened

    return opened(settings)


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders (.txt, .md, .html, .pdf; folders are read recursively), or http(s) URLs.",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None,
        typer.Option("--urls", metavar="FILE", help="Also ingest the URLs in FILE, one a line (# comments)."),
    ] = None,
    published: Annotated[
        date | None,
        typer.Option(
            "--date",
            parser=parse_day,
            metavar="YYYY-MM-DD",
            help="Publication date of every document this run ingests or finds unchanged.",
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Read articles (files or web pages), split them into sentence chunks, embed them and store them.

    Unchanged files and pages are skipped, changed ones replace their old chunks. One that cannot
    be read or fetched is reported and skipped; the rest of the batch goes on and nothing stored is lost.
    """
    from factcheck.corpus.fetch import FetchLimits
    from factcheck.corpus.ingest import ChunkingPolicy, Ingestor
    from factcheck.models.embedding import load_embedder
    from factcheck.schema import IngestSummary

    day = published  # parsed by typer: a bad date is a usage error before anything is read
    listed, bad_lines = _url_file(urls)
    sources = [*(paths or []), *listed]
    if not sources and not bad_lines:
        raise typer.BadParameter("give files, folders or URLs to ingest, or --urls FILE", param_hint="'PATHS...'")
    settings = state(ctx).settings
    embedder = load_embedder(settings)  # first: an embedder that cannot load must leave nothing behind
    store = open_store(settings)
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    limits = FetchLimits(settings.max_file_bytes, settings.fetch_timeout_s, settings.fetch_max_redirects)
    ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes, fetch_limits=limits, published=day)
    items, rejected = ingestor.plan(sources)
    summary = IngestSummary([*bad_lines, *rejected])
    err = stderr()
    for outcome in summary.outcomes:
        _report_skip(err, outcome)
    try:
        _run_with_progress(ingestor, items, summary)
    finally:
        _print_summary(summary, fmt)
    if summary.skipped:
        raise typer.Exit(int(ExitCode.PARTIAL))


def _url_file(path: Path | None) -> tuple[list[str], list[IngestOutcome]]:
    """The URLs of a --urls file, and a skipped outcome for each line that is not one."""
    from factcheck.corpus.fetch import read_url_list
    from factcheck.errors import InputFileError
    from factcheck.schema import IngestOutcome, IngestStatus

    if path is None:
        return [], []
    try:
        found, errors = read_url_list(path)
    except InputFileError as exc:
        raise typer.BadParameter(f"{exc.path}: {exc.reason}", param_hint="'--urls'") from None
    return found, [IngestOutcome(e.path, IngestStatus.SKIPPED, message=e.reason) for e in errors]


def _run_with_progress(ingestor, items: list, summary: IngestSummary) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from factcheck.corpus.fetch import is_url
    from factcheck.schema import IngestStatus

    columns = (
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("documents"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}"),
    )
    with Progress(*columns, console=stderr(), transient=True) as bar:
        task = bar.add_task("ingest", total=len(items), current="")

        def progress(outcome: IngestOutcome) -> None:
            shown = outcome.path if is_url(outcome.path) else Path(outcome.path).name
            bar.update(task, advance=1, current=escape(shown))
            if outcome.status is IngestStatus.SKIPPED:
                _report_skip(bar.console, outcome)
            elif outcome.message:
                bar.console.print(f"[yellow]note:[/] {escape(outcome.path)}: {escape(outcome.message)}")

        ingestor.run(items, summary, progress)


def _report_skip(console, outcome: IngestOutcome) -> None:
    console.print(f"[red]skipped[/] {escape(outcome.path)}: {escape(outcome.message or 'unknown reason')}")


def _print_summary(summary: IngestSummary, fmt: OutputFormat) -> None:
    from factcheck.schema import IngestStatus

    counts = {status.value: summary.count(status) for status in IngestStatus}
    if fmt is OutputFormat.JSON:
        outcomes = [
            {"path": o.path, "doc_id": o.doc_id, "status": o.status.value, "chunks": o.n_chunks, "message": o.message}
            for o in summary.outcomes
        ]
        print_json({**counts, "chunks_written": summary.chunks_written, "outcomes": outcomes})
        return
    parts = ", ".join(f"{n} {name}" for name, n in counts.items())
    stdout().print(f"documents: {parts}; chunks written: {summary.chunks_written}", highlight=False)


def _record_json(record: DocumentRecord) -> dict[str, object]:
    from factcheck.corpus.fetch import is_url

    return {
        "doc_id": record.doc_id,
        "title": record.title,
        "chunks": record.n_chunks,
        "chars": record.n_chars,
        "published": record.published.isoformat() if record.published else None,
        "source_path": record.source_path,
        "sha256": record.sha256,
        "site": record.site,
        "authors": list(record.authors),
        "source_kind": "url" if is_url(record.source_path) else "file",  # what source_path names
    }


@app.command("list")
def list_documents(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the ingested documents with their chunk counts."""
    from rich.table import Table

    from factcheck.corpus.ingest import source_missing

    records = open_store(state(ctx).settings).documents()
    missing = {r.doc_id: source_missing(r) for r in records}
    if fmt is OutputFormat.JSON:
        print_json([{**_record_json(r), "source_missing": missing[r.doc_id]} for r in records])
        return
    table = Table(title=f"{len(records)} documents")
    out = stdout()
    id_width = max((len(r.doc_id) for r in records), default=2)
    site_width = min(20, max((len(r.site) for r in records), default=0))
    # Ids, counts and dates are never cut; the site gets at most 20 columns, the title what is left.
    title_width = max(16, out.width - id_width - site_width - 43)
    table.add_column("id", no_wrap=True, min_width=id_width)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    if site_width:
        table.add_column("site", no_wrap=True, overflow="ellipsis", max_width=site_width)
    table.add_column("chunks", justify="right", no_wrap=True, min_width=6)
    table.add_column("chars", justify="right", no_wrap=True, min_width=6)
    table.add_column("published", no_wrap=True, min_width=10)
    table.add_column("source", no_wrap=True, min_width=7)
    for r in records:
        published = r.published.isoformat() if r.published else ""
        site = [escape(r.site)] if site_width else []
        counts = (str(r.n_chunks), str(r.n_chars))
        table.add_row(r.doc_id, escape(r.title), *site, *counts, published, _source_mark(r, missing[r.doc_id]))
    out.print(table)
    if not records:
        stderr().print("the corpus is empty; add articles with: factcheck ingest PATH")
    if n_missing := sum(1 for gone in missing.values() if gone):
        stderr().print(f"{n_missing} documents have no source file any more; remove them with: factcheck corpus prune")


def _source_mark(record: DocumentRecord, missing: bool | None) -> str:
    """Whether the source is still there: a file is looked for; a page is not fetched to see (None)."""
    from factcheck.corpus.fetch import is_url

    if missing is None:
        return "url" if is_url(record.source_path) else "?"  # "?": an old relative path, not found from here
    return "[red]missing[/]" if missing else ""


@app.command()
def show(
    ctx: typer.Context,
    doc_id: DocIdArg,
    chunks: Annotated[bool, typer.Option("--chunks", help="Show the chunks with their offsets.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show one document: its details and text (or its chunks)."""
    from factcheck.errors import DocumentNotFound

    store = open_store(state(ctx).settings)
    record = store.document(doc_id)
    if record is None:
        raise DocumentNotFound(f"no document {doc_id!r} in the corpus; see: factcheck corpus list")
    parts = store.chunks(doc_id) if chunks else []
    if fmt is OutputFormat.JSON:
        data = _record_json(record)
        data["text"] = store.text(doc_id)
        data["chunk_list"] = [
            {"chunk_id": c.chunk_id, "start_char": c.span.start_char, "end_char": c.span.end_char,
             "start_byte": c.span.start_byte, "end_byte": c.span.end_byte, "tokens": c.span.n_tokens,
             "text": c.span.text}
            for c in parts
        ]  # fmt: skip
        print_json(data)
        return
    out = stdout()
    # escape() also drops terminal escapes: article text, titles and file names come from outside.
    title, source = escape(record.title), escape(record.source_path)
    out.print(
        f"[bold]{title}[/]\nid: {escape(record.doc_id)}  chunks: {record.n_chunks}  source: {source}", highlight=False
    )
    if not chunks:
        out.print(escape(store.text(doc_id)), highlight=False)
    for c in parts:
        out.print(f"\n[cyan]{c.chunk_id}[/] chars {c.span.start_char}-{c.span.end_char}, {c.span.n_tokens} tokens")
        out.print(escape(c.span.text), highlight=False)


@app.command()
def remove(ctx: typer.Context, doc_id: DocIdArg) -> None:
    """Remove a document and its chunks from the store."""
    open_store(state(ctx).settings).remove_document(doc_id)
    stderr().print(f"removed {escape(doc_id)}")


@app.command()
def prune(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be removed.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Remove the documents whose source file no longer exists (renamed, moved or deleted).

    `corpus list` marks them. A relative path stored by an older factcheck that does not resolve
    from the current folder is kept (marked ?): run prune from where you ingested.
    """
    from factcheck.corpus.ingest import missing_sources
    from factcheck.corpus.ingest import prune as prune_documents

    store = open_store(state(ctx).settings)
    gone = missing_sources(store) if dry_run else prune_documents(store)
    if fmt is OutputFormat.JSON:
        documents = [{"doc_id": r.doc_id, "source_path": r.source_path} for r in gone]
        print_json({"dry_run": dry_run, "documents": documents})
        return
    verb = "would remove" if dry_run else "removed"
    for r in gone:
        stdout().print(f"{verb} {escape(r.doc_id)}: {escape(r.source_path)} is missing", highlight=False)
    if not gone:
        stderr().print("every document's source file exists; nothing to prune")


@app.command()
def stats(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Totals for the corpus: documents, chunks, characters, and where it is stored."""
    from rich.table import Table

    settings = state(ctx).settings
    store = open_store(settings)
    records = store.documents()
    data = {
        "documents": len(records),
        "chunks": store.count_chunks(),
        "chars": sum(r.n_chars for r in records),
        "embedder": settings.embedder,
        "store": store.location,  # the folder, or the server's URL (never its token)
        "database": store.database,  # on a server; null for the embedded store
        "per_document": {r.doc_id: r.n_chunks for r in records},
    }
    if fmt is OutputFormat.JSON:
        print_json(data)
        return
    table = Table(title="corpus", show_header=False)
    for key in ("documents", "chunks", "chars", "embedder", "store", "database"):
        if data[key] is not None:
            table.add_row(key, escape(str(data[key])))
    stdout().print(table)


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A question or a claim.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages to show.")] = 5,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show the passages most similar to a question or claim (by embedding similarity)."""
    from rich.table import Table

    from factcheck.models.embedding import load_embedder
    from factcheck.retrieve import vector_search

    settings = state(ctx).settings
    hits = vector_search(open_store(settings), load_embedder(settings), query, k)
    if fmt is OutputFormat.JSON:
        print_json(
            [
                {
                    "doc_id": h.chunk.doc_id,
                    "chunk_id": h.chunk.chunk_id,
                    "similarity": round(h.similarity, 4),
                    "text": h.chunk.span.text,
                }
                for h in hits
            ]
        )
        return
    table = Table(title=f"passages for: {escape(query)}")
    table.add_column("sim", justify="right")
    table.add_column("document")
    table.add_column("passage")
    for h in hits:
        table.add_row(f"{h.similarity:.3f}", escape(h.chunk.doc_id), escape(h.chunk.span.text))
    stdout().print(table)
    if not hits:
        stderr().print("the corpus is empty; add articles with: factcheck ingest PATH")
