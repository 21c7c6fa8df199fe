"""The `server` chat backend and its judge, against a fake OpenAI-compatible server on 127.0.0.1
(tests/openai_server.py): label probabilities from top_logprobs, the fallback without them, the
schema-bound quote and its verbatim check, retries, errors, the API key, streaming."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Iterator

import pytest

from factcheck.check.judge import judge_all, parallel_of
from factcheck.check.server_judge import (
    NO_LOGPROBS_NOTE,
    STANCE_SCHEMA,
    ChatJudge,
    label_position,
    read_label_logprobs,
    written_label,
)
from factcheck.config import load_settings
from factcheck.errors import ConfigError, ModelServerError, ModelServerUnreachable
from factcheck.models.backend import Message, TokenChoice, backend_kind, load_backend
from factcheck.models.chat import LlamaBackend
from factcheck.models.server import NO_SCHEMA_NOTICE, Endpoint, ServerBackend, parse_endpoint
from factcheck.schema import Passage, Stance
from tests.http_server import Page, no_proxies, serve
from tests.openai_server import FakeOpenAI, schema_of

CLAIM = "Putin and Trump met in Anchorage."
SENTENCE = "Putin and Trump met at a base in Anchorage on Friday."
PASSAGES = [Passage("summit", "summit:c0000", f"{SENTENCE} Reporters waited outside.", SENTENCE, 0.8, 1.0)]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    no_proxies(monkeypatch)
    with serve() as site:
        yield FakeOpenAI(site).install()


def backend(fake: FakeOpenAI, **options) -> ServerBackend:
    options.setdefault("backoff_s", 0.01)
    made = ServerBackend(parse_endpoint(fake.url), fake.model, **options)
    made.connect()
    return made


# --- reading labels from top_logprobs ---------------------------------------------------------


def choices(*tokens: str, top: dict[str, float] | None = None, at: int = -1) -> list[TokenChoice]:
    out = []
    for i, token in enumerate(tokens):
        alternatives = top if i == (at % len(tokens)) and top else {token: 1.0}
        out.append(
            TokenChoice(
                token, math.log(alternatives.get(token, 1e-6)), tuple((t, math.log(p)) for t, p in alternatives.items())
            )
        )
    return out


def test_the_labels_first_letters_differ_so_any_first_token_names_one_label():
    from factcheck.check.judge import LABELS

    assert len({label[0] for label in LABELS}) == len(LABELS)


def test_the_label_begins_after_the_stance_key_however_the_tokens_split_it():
    assert label_position(['{"', "stance", '":', ' "', "sup", "ports"]) == (4, 0)
    assert label_position(["{", ' "stance"', ":", ' "s', "upports"]) == (3, 2)  # the lead and label share a token
    assert label_position(["Sure", "! ", "The answer is supports"]) is None


def test_label_probabilities_sum_the_alternatives_that_begin_each_label():
    top = {"sup": 0.6, "s": 0.1, "ref": 0.2, "not": 0.05, "The": 0.05}
    tokens = choices('{"', "stance", '":', ' "', "sup", "ports", '"}', top=top, at=4)
    logprobs = read_label_logprobs(tokens)
    assert logprobs is not None
    assert math.exp(logprobs["supports"]) == pytest.approx(0.7)
    assert math.exp(logprobs["refutes"]) == pytest.approx(0.2)
    assert math.exp(logprobs["not_mentioned"]) == pytest.approx(0.05)


def test_a_label_missing_from_the_top_alternatives_gets_at_most_what_they_leave_over():
    top = {"sup": 0.9, "ref": 0.08}
    logprobs = read_label_logprobs(choices('{"stance": "', "sup", "ports", top=top, at=1))
    assert logprobs is not None and 0 < math.exp(logprobs["not_mentioned"]) <= 0.02 + 1e-9


def test_a_straddling_token_is_read_after_its_lead():
    top = {' "s': 0.5, ' "r': 0.3, ' "n': 0.2}
    logprobs = read_label_logprobs(choices("{", '"stance":', ' "s', "upports", top=top, at=2))
    assert logprobs is not None and math.exp(logprobs["refutes"]) == pytest.approx(0.3)


def test_the_written_label_is_read_from_json_or_from_the_words():
    assert written_label('{"stance": "refutes"}') == "refutes"
    assert written_label('I think: {"stance": "not_mentioned", "quote": ""}') == "not_mentioned"
    assert written_label('{"stance": "not_ment') == "not_mentioned"  # cut off after the label's first token
    assert written_label("It supports the claim.") == "supports"
    assert written_label("No idea.") is None


# --- the judge over a server ------------------------------------------------------------------


def test_the_judge_reads_the_servers_logprobs_into_probabilities_and_quotes_verbatim(server):
    server.top = {"sup": 0.5, "s": 0.2, "ref": 0.2, "not": 0.1}
    judgement = ChatJudge(backend(server)).judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.SUPPORTS and judgement.error is None
    assert judgement.probabilities == pytest.approx({"supports": 0.7, "refutes": 0.2, "not_mentioned": 0.1})
    assert judgement.quote == SENTENCE and judgement.quote_chunk_id == "summit:c0000"
    label, quote = server.chats()
    assert label["logprobs"] is True and label["top_logprobs"] == 20 and schema_of(label) == STANCE_SCHEMA
    assert schema_of(quote)["properties"]["quote"] == {"enum": [SENTENCE, "Reporters waited outside."]}
    assert schema_of(quote)["properties"]["stance"] == {"enum": ["supports"]}


def test_not_mentioned_asks_for_no_quote(server):
    server.stance = "not_mentioned"
    judgement = ChatJudge(backend(server)).judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.NOT_MENTIONED and len(server.chats()) == 1


def test_without_logprobs_the_written_label_counts_as_certain_and_the_judge_says_so(server):
    server.logprobs, server.stance = False, "refutes"
    judge = ChatJudge(backend(server))
    judgement = judge.judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.REFUTES
    assert judgement.probabilities == {"supports": 0.0, "refutes": 1.0, "not_mentioned": 0.0}
    assert NO_LOGPROBS_NOTE in judgement.notes
    assert any("gave no log-probabilities" in n and server.base in n for n in judge.notices)


def test_a_quote_that_is_not_in_the_passages_is_discarded(server):
    server.schema_styles = ()  # a server that takes no schema: the model writes what it likes
    server.quote = "Putin and Trump met on the Moon."
    judge = ChatJudge(backend(server))
    judgement = judge.judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.SUPPORTS and judgement.quote is None and judgement.quote_discarded
    assert NO_SCHEMA_NOTICE.format(url=server.base) in judge.notices


def test_without_a_schema_a_verbatim_quote_written_in_prose_is_kept(server):
    server.schema_styles, server.quote = (), SENTENCE
    judgement = ChatJudge(backend(server)).judge(CLAIM, "summit", PASSAGES)
    assert judgement.quote == SENTENCE and not judgement.quote_discarded


def test_a_server_that_refuses_json_schema_gets_json_object_and_it_is_remembered(server):
    server.schema_styles = ("json_object",)  # llama_cpp.server
    made = backend(server)
    ChatJudge(made).judge(CLAIM, "summit", PASSAGES)
    ChatJudge(made).judge(CLAIM, "summit", PASSAGES)
    styles = [(b.get("response_format") or {}).get("type") for b in server.chats()]
    assert styles == ["json_schema", "json_object", "json_object", "json_object", "json_object"]
    assert made.notices == set()


def test_llama_cpp_servers_500_for_a_refused_format_is_not_retried_but_taken_as_a_refusal(server):
    server.schema_styles, server.refusal_status = ("json_object",), 500
    made = backend(server, retries=3)
    reply = made.generate([Message("user", "hi")], max_tokens=8, json_schema=STANCE_SCHEMA)
    assert reply.schema_enforced
    styles = [(b.get("response_format") or {}).get("type") for b in server.chats()]
    assert styles == ["json_schema", "json_object"]


def test_a_request_failing_with_503_is_retried_then_answered(server):
    server.failures = deque([503, 503])
    judgement = ChatJudge(backend(server, retries=3)).judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.SUPPORTS
    assert len(server.chats()) == 4  # two 503s, the label, the quote


def test_a_request_that_keeps_failing_makes_that_documents_judgement_an_error(server):
    server.failures = deque([500] * 3)
    judgement = ChatJudge(backend(server, retries=2)).judge(CLAIM, "summit", PASSAGES)
    assert judgement.stance is Stance.ERROR and "HTTP 500" in (judgement.error or "")
    assert "3 tries" in (judgement.error or "")


def test_one_failed_document_is_one_error_and_the_others_are_judged_once_each(server):
    server.failures = deque([500] * 2)  # the first request (one document's label) fails both its tries
    judge = ChatJudge(backend(server, retries=1))
    documents = [(f"doc{i}", PASSAGES) for i in range(4)]
    answers = judge_all(judge, CLAIM, documents, parallel=1)
    assert [a.stance for a in answers] == [Stance.ERROR] + [Stance.SUPPORTS] * 3
    assert len(server.chats()) == 2 + 3 * 2


def test_an_unreachable_server_is_one_clear_error():
    with serve() as site:
        url = site.url("/v1")
    made = ServerBackend(Endpoint(url, "x"), "x", retries=1, backoff_s=0.01)
    with pytest.raises(ModelServerUnreachable, match=rf"cannot reach the model server at {url}: .*is it running\?"):
        made.connect()
    with pytest.raises(ModelServerUnreachable):  # a judge does not swallow it: the batch stops
        ChatJudge(made).judge(CLAIM, "summit", PASSAGES)


def test_the_api_key_is_sent_as_a_bearer_token(server, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", server.url)
    monkeypatch.setenv("FACTCHECK_API_KEY", "sk-local-123")
    made = load_backend(load_settings())
    made.generate([Message("user", "hi")], max_tokens=4)
    assert all(headers.get("Authorization") == "Bearer sk-local-123" for _, headers in server.site.requests)


def test_no_authorization_header_without_a_key(server):
    backend(server).generate([Message("user", "hi")], max_tokens=4)
    assert all("Authorization" not in headers for _, headers in server.site.requests)


def test_the_answer_streams_from_server_sent_events(server):
    pieces = list(backend(server).stream([Message("user", "Where was the summit?")], max_tokens=32))
    assert pieces == ["The summit ", "was in ", "Alaska [1]."]
    assert server.chats()[-1]["stream"] is True and server.chats()[-1]["temperature"] == 0.0


def test_a_refused_request_is_a_server_error_naming_the_status(server):
    refusal = Page(b'{"error": {"message": "context length exceeded"}}', content_type="application/json", status=400)
    server.site.handlers["/v1/chat/completions"] = lambda body: refusal
    with pytest.raises(ModelServerError, match="HTTP 400.*context length exceeded"):
        backend(server).generate([Message("user", "hi")], max_tokens=4)


# --- naming, settings, parallel ---------------------------------------------------------------


def test_the_url_names_the_base_and_the_served_model():
    assert parse_endpoint("http://127.0.0.1:8000/v1#qwen3-4b") == Endpoint("http://127.0.0.1:8000/v1", "qwen3-4b")
    assert parse_endpoint("http://127.0.0.1:8000").base == "http://127.0.0.1:8000/v1"
    for bad in ("ftp://h/v1", "http://user:pw@h:8000/v1", "http://h:port/v1"):
        with pytest.raises(ConfigError):
            parse_endpoint(bad)
    assert backend_kind("http://h:8000/v1") == "server" and backend_kind("smollm2-135m") == "llama"


def test_without_a_name_the_first_listed_model_is_asked_for(server):
    made = ServerBackend(parse_endpoint(server.base), "")
    made.connect()
    assert made.name == "tiny-served"


def test_parallel_defaults_to_the_servers_slots_else_4_and_1_in_process(server):
    assert backend(server).parallel == 4
    server.props = {"total_slots": 3, "default_generation_settings": {"n_ctx": 2048}}
    server.install()
    advertised = backend(server)
    assert advertised.parallel == 3 and advertised.n_ctx == 2048
    assert parallel_of(ChatJudge(advertised)) == 3
    assert LlamaBackend.parallel == 1 and parallel_of(None) == 1


def test_judge_all_runs_calls_at_once_and_keeps_their_order(server):
    server.delay_s = 0.1
    server.stance = lambda body: "refutes" if "doc3" in str(body) else "not_mentioned"
    judge = ChatJudge(backend(server))
    documents = [
        (f"doc{i}", [Passage(f"doc{i}", f"doc{i}:c0", f"doc{i} says {SENTENCE}", SENTENCE, 0.8, 1.0)]) for i in range(4)
    ]
    started = time.perf_counter()
    answers = judge_all(judge, CLAIM, documents, parallel=4)
    assert time.perf_counter() - started < 0.35  # four 0.1 s labels (and one quote), not one after the other
    assert server.most_in_flight >= 3
    assert [a.stance for a in answers] == [Stance.NOT_MENTIONED] * 3 + [Stance.REFUTES]


def test_the_in_process_backend_is_never_called_concurrently():
    class Model:
        def __init__(self) -> None:
            self.inside, self.most = 0, 0
            self.lock = threading.Lock()

        def create_chat_completion(self, **kwargs):
            with self.lock:
                self.inside += 1
                self.most = max(self.most, self.inside)
            time.sleep(0.02)
            with self.lock:
                self.inside -= 1
            return {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}], "usage": {}}

    model = Model()
    chat = LlamaBackend(model, name="m")
    threads = [
        threading.Thread(target=chat.generate, args=([Message("user", "hi")],), kwargs={"max_tokens": 2})
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert model.most == 1


# --- --embedder URL ---------------------------------------------------------------------------


def test_a_server_embedder_returns_unit_vectors_in_order_in_batches(server, monkeypatch):
    from factcheck.models.embedding import ServerEmbedder, load_embedder

    def embeddings(body):
        rows = [{"index": i, "embedding": [float(len(text)), 1.0, 0.0]} for i, text in enumerate(body["input"])]
        return Page(json.dumps({"data": rows[::-1]}).encode(), content_type="application/json")  # any order

    server.site.handlers["/v1/embeddings"] = embeddings
    monkeypatch.setattr(ServerEmbedder, "BATCH", 2)
    monkeypatch.setenv("FACTCHECK_EMBEDDER", server.url)
    embedder = load_embedder(load_settings())
    assert isinstance(embedder, ServerEmbedder) and embedder.dimension == 3 and embedder.id == "server-tiny-served"
    vectors = embedder.embed(["a", "bbb", "cc"])
    assert [round(v[0] / v[1], 6) for v in vectors] == [1.0, 3.0, 2.0]
    assert all(sum(x * x for x in v) == pytest.approx(1.0) for v in vectors)
    batches = [body["input"] for path, body in server.site.posted if path == "/v1/embeddings"]
    assert batches == [["dimension probe"], ["a", "bbb"], ["cc"]]
