"""What one search may spend (terms, words, characters, nesting) and the error it raises.

This module does not import CKAN.
"""

from __future__ import annotations

from dataclasses import dataclass


class QueryError(ValueError):
    """A search request this backend refuses; the message says why and what to do."""


@dataclass
class Budget:
    """What one search may spend: terms and folded words over q and every fq together.

    ``None`` means unbounded (internal use, e.g. index deletes by query).
    """

    max_terms: int | None = None
    max_depth: int | None = None
    max_chars: int | None = None
    terms: int = 0
    words: int = 0

    def check_text(self, text: str, param: str) -> None:
        """Refuse NUL characters and over-long texts before tokenizing."""
        if "\x00" in text:
            raise QueryError(
                f"The search parameter '{param}' contains a NUL character (\\x00), which no "
                "search can contain; remove it."
            )
        if self.max_chars is not None and len(text) > self.max_chars:
            raise QueryError(
                f"The search parameter '{param}' is {len(text)} characters long; this portal "
                f"accepts at most {self.max_chars}. Shorten the search."
            )

    def spend_terms(self, count: int, param: str) -> None:
        """Count query terms (words, phrases, field:value) against the limit."""
        self.terms += count
        if self.max_terms is not None and self.terms > self.max_terms:
            raise QueryError(
                f"Too many search terms (at '{param}': {self.terms} so far); this portal "
                f"accepts at most {self.max_terms} terms per search, q and fq together. "
                "Use fewer terms or split the search."
            )

    def spend_words(self, count: int) -> None:
        """Count folded words of text matches ("a.b.c" is three) against the limit."""
        self.words += count
        if self.max_terms is not None and self.words > self.max_terms:
            raise QueryError(
                f"Too many words to search for ({self.words}); this portal accepts at most "
                f"{self.max_terms} words per search. Use fewer words."
            )
