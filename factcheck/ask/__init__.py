"""Asking the corpus a question: an answer written only from retrieved passages, with checked
citations, each claim's verdict, and where the articles disagree.

    asker = Asker.for_session(CheckSession(settings))
    answer = asker.answer("Where did the summit take place?", on_token=print)

Modules: markers (pure text: markers, claims, trimming), citations (quotes and dropped markers),
disagree (two-sided disagreements), prompt (the prompt files), generate (what writing needs of the chat backend),
answer (the result and its JSON), asker (the flow), render (the terminal view).
"""

from factcheck.ask.answer import Answer, AnswerClaim, Timings, answer_json
from factcheck.ask.asker import Asker
from factcheck.ask.citations import Citation, DroppedMarker
from factcheck.ask.disagree import Disagreement
from factcheck.ask.generate import Generator

__all__ = [
    "Answer",
    "AnswerClaim",
    "Asker",
    "Citation",
    "Disagreement",
    "DroppedMarker",
    "Generator",
    "Timings",
    "answer_json",
]
