"""Sentence splitting and chunk packing: offsets always point into the text, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.corpus.chunking import chunk_text, split_sentences

SAMPLES = sorted((Path(__file__).parents[2] / "examples" / "alaska-summit").glob("*.txt"))


def word_count(text: str) -> int:
    """Stand-in tokenizer: one token per word, plus two for [CLS] and [SEP]."""
    return len(text.split()) + 2


def non_space(text: str) -> str:
    return "".join(text.split())


def covered_positions(chunks) -> set[int]:
    return {i for c in chunks for i in range(c.start_char, c.end_char)}


def chunks_of(text: str, max_tokens: int = 192, overlap: int = 48):
    return chunk_text(text, count_tokens=word_count, max_tokens=max_tokens, overlap_tokens=overlap)


# Text built from pieces that stress pysbd: abbreviations, quotes, ellipses, numbers, repeats.
ATOMS = ["Mr.", "U.S.", "Jan. 5", "1,550", "3.5", "“Yes.”", "...", "!", "?", "said", "the", "talks",
         "Ukraine", "é", "—", "(", ")", '"', "a.", "Yes.", "x" * 30, "\t", "  ", "\n", "\r\n", "\n\n"]  # fmt: skip
news_like = st.lists(st.sampled_from(ATOMS), max_size=80).map(" ".join)
any_text = st.one_of(news_like, st.text(max_size=300))


class TestSplitSentences:
    @given(any_text)
    @settings(max_examples=300, deadline=None)
    def test_spans_cover_every_non_space_character_once_in_order(self, text):
        spans = split_sentences(text)
        assert non_space("".join(text[a:b] for a, b in spans)) == non_space(text)
        assert all(a < b for a, b in spans)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))

    @given(any_text)
    @settings(max_examples=200, deadline=None)
    def test_spans_are_trimmed_and_never_cross_a_line_break(self, text):
        for a, b in split_sentences(text):
            assert not text[a].isspace() and not text[b - 1].isspace()
            assert "\n" not in text[a:b] and "\r" not in text[a:b]

    def test_news_abbreviations_and_numbers_do_not_end_sentences(self):
        text = "Mr. Smith met the U.S. envoy on Jan. 5 at 3 p.m. It cost 1,550 dollars, or 3.5 percent."
        assert [text[a:b] for a, b in split_sentences(text)] == [
            "Mr. Smith met the U.S. envoy on Jan. 5 at 3 p.m.",
            "It cost 1,550 dollars, or 3.5 percent.",
        ]

    def test_closing_quote_stays_with_its_sentence(self):
        text = "He said “It is over.” Then he left."
        assert [text[a:b] for a, b in split_sentences(text)] == ["He said “It is over.”", "Then he left."]

    def test_repeated_sentences_get_their_own_spans(self):
        text = "Yes. Yes. No.  Yes. Yes."
        spans = split_sentences(text)
        assert [text[a:b] for a, b in spans] == ["Yes.", "Yes.", "No.", "Yes.", "Yes."]
        assert [a for a, _ in spans] == [0, 5, 10, 15, 20]

    def test_characters_pysbd_drops_are_kept(self):
        # pysbd 0.3.4 returns "a e.g. (1.5 ...(x." for this, losing the final "!!".
        text = "a e.g. (1.5 ...(x.!!"
        assert [text[a:b] for a, b in split_sentences(text)] == [text]

    def test_punctuation_fragment_joins_previous_sentence(self):
        # pysbd splits this as "It fell 3.." + ". " + "then 2."
        text = "It fell 3... then 2."
        assert non_space("".join(text[a:b] for a, b in split_sentences(text))) == non_space(text)
        assert all(any(c.isalnum() for c in text[a:b]) for a, b in split_sentences(text))

    def test_paragraph_without_final_punctuation_ends_at_line_break(self):
        text = "A headline without a period\nThe body starts here. It goes on."
        assert [text[a:b] for a, b in split_sentences(text)] == [
            "A headline without a period",
            "The body starts here.",
            "It goes on.",
        ]


class TestChunkText:
    @given(any_text, st.integers(4, 40), st.data())
    @settings(max_examples=300, deadline=None)
    def test_chunks_keep_their_promises(self, text, max_tokens, data):
        overlap = data.draw(st.integers(0, max_tokens - 1))
        chunks = chunks_of(text, max_tokens, overlap)
        for i, c in enumerate(chunks):
            assert c.index == i
            assert c.text == text[c.start_char : c.end_char] and c.text.strip() == c.text
            assert c.start_byte == len(text[: c.start_char].encode())
            assert c.end_byte == len(text[: c.end_char].encode())
            assert c.n_tokens == word_count(c.text) <= max_tokens
        for prev, nxt in zip(chunks, chunks[1:]):
            assert prev.start_char < nxt.start_char and prev.end_char < nxt.end_char
            if nxt.start_char < prev.end_char:
                assert word_count(text[nxt.start_char : prev.end_char]) <= overlap
        positions = covered_positions(chunks)
        assert all(ch.isspace() for i, ch in enumerate(text) if i not in positions)

    @given(news_like, st.integers(8, 60))
    @settings(max_examples=150, deadline=None)
    def test_chunks_fit_even_when_sentence_counts_do_not_add_up(self, text, max_tokens):
        # Counting characters charges for the spaces between sentences, so the sum of sentence
        # counts underestimates a chunk: the real count of each chunk must still be checked.
        def by_chars(s: str) -> int:
            return len(s) // 3 + 2

        chunks = chunk_text(text, count_tokens=by_chars, max_tokens=max_tokens, overlap_tokens=max_tokens // 2)
        assert all(c.n_tokens == by_chars(c.text) <= max_tokens for c in chunks)
        positions = covered_positions(chunks)
        assert all(ch.isspace() for i, ch in enumerate(text) if i not in positions)

    def test_blank_text_has_no_chunks(self):
        assert chunks_of("") == [] and chunks_of(" \n\t\n") == []

    def test_short_text_is_one_chunk_of_the_whole_text(self):
        text = "  One sentence. Another one.\n"
        [chunk] = chunks_of(text)
        assert chunk.text == "One sentence. Another one." and chunk.start_char == 2

    def test_chunks_end_at_sentence_boundaries(self):
        text = " ".join(f"Sentence number {i} has five words." for i in range(40))
        chunks = chunks_of(text, max_tokens=20, overlap=8)
        assert len(chunks) > 1
        assert all(c.text.startswith("Sentence") and c.text.endswith(".") for c in chunks)

    def test_consecutive_chunks_share_trailing_sentences(self):
        text = " ".join(f"Sentence {i} is here." for i in range(20))  # 4 words each
        first, second = chunks_of(text, max_tokens=20, overlap=10)[:2]
        assert first.text.endswith("Sentence 3 is here.")
        assert second.text.startswith("Sentence 2 is here.")  # two sentences = 8 + 2 tokens

    def test_zero_overlap_means_disjoint_chunks(self):
        text = " ".join(f"Sentence {i} is here." for i in range(20))
        chunks = chunks_of(text, max_tokens=20, overlap=0)
        assert all(a.end_char < b.start_char for a, b in zip(chunks, chunks[1:]))

    def test_overlong_sentence_is_split_at_words_not_truncated(self):
        text = " ".join(f"w{i}" for i in range(100)) + "."
        chunks = chunks_of(text, max_tokens=12, overlap=0)
        assert all(c.n_tokens <= 12 for c in chunks)
        assert " ".join(c.text for c in chunks) == text

    def test_overlong_word_is_split_at_characters(self):
        def by_chars(s: str) -> int:
            return len(s) // 4 + 2

        text = "Start. " + "x" * 500 + " end."
        chunks = chunk_text(text, count_tokens=by_chars, max_tokens=10, overlap_tokens=0)
        assert all(by_chars(c.text) <= 10 for c in chunks)
        assert non_space("".join(c.text for c in chunks)) == non_space(text)

    def test_each_sentence_counted_once_plus_one_count_per_chunk(self):
        calls: list[str] = []

        def counting(s: str) -> int:
            calls.append(s)
            return word_count(s)

        text = SAMPLES[0].read_text(encoding="utf-8")
        chunks = chunk_text(text, count_tokens=counting, max_tokens=192, overlap_tokens=48)
        assert len(calls) <= len(split_sentences(text)) + len(chunks) + 1

    def test_multibyte_text_has_matching_byte_offsets(self):
        text = "Café “talks” in Zürich. Ёлка 🎄 is here.\nПутин сказал. 東京で会談。"
        for c in chunks_of(text, max_tokens=6, overlap=3):
            assert text.encode()[c.start_byte : c.end_byte].decode() == c.text

    @pytest.mark.parametrize("max_tokens, overlap", [(0, 0), (10, 10), (10, -1)])
    def test_impossible_limits_are_rejected(self, max_tokens, overlap):
        with pytest.raises(ValueError):
            chunks_of("Some text.", max_tokens, overlap)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_articles_chunk_within_limits_and_lose_nothing(path):
    text = path.read_text(encoding="utf-8")
    chunks = chunks_of(text, max_tokens=192, overlap=48)
    assert 1 < len(chunks) <= 6
    assert all(c.n_tokens <= 192 for c in chunks)
    positions = covered_positions(chunks)
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in positions)
    for a, b in split_sentences(text):  # no sentence in these articles is cut
        assert any(c.start_char <= a and b <= c.end_char for c in chunks)


def test_sample_articles_are_present():
    assert len(SAMPLES) == 5
